from django import forms

from zuzhi.core.roles import Role

from .grants import GRANTABLE_ROLES


class AccountCreateForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=64)
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput, help_text="首次登录须修改。"
    )


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(
        label="角色", choices=[(r.value, Role(r).label) for r in GRANTABLE_ROLES]
    )
    org_code = forms.CharField(label="组织代码", max_length=32)


class PasswordResetForm(forms.Form):
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput)
