from django import forms

from zuzhi.core.roles import Role
from zuzhi.orgs.picker import OrgPickerField
from zuzhi.orgs.selectors import PickerMode

from .grants import GRANTABLE_ROLES


class AccountCreateForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=64)
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput, help_text="首次登录须修改。"
    )


class RoleGrantForm(forms.Form):
    """授予角色: the organization is searched by name among the nodes the system
    administrator manages; of each they see its name and parent only (no business data)."""

    role = forms.ChoiceField(
        label="角色", choices=[(r.value, Role(r).label) for r in GRANTABLE_ROLES]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"] = OrgPickerField(user=user, label="组织", mode=PickerMode.TREE)


class PasswordResetForm(forms.Form):
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput)
