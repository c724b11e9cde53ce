from django import forms


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="当前密码", widget=forms.PasswordInput)
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput)
    new_password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        if data.get("old_password") and not self.user.check_password(data["old_password"]):
            self.add_error("old_password", "当前密码不正确。")
        if data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


class GrantRefuseForm(forms.Form):
    reason = forms.CharField(label="驳回理由", max_length=200)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=24,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text="身份验证器上当前显示的 6 位数字；手机不在身边时可输入一个恢复码。",
    )


class BindForm(forms.Form):
    """绑定身份验证器: a code from the new app and, when replacing one, from the old."""

    code = forms.CharField(
        label="新验证器上的验证码",
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, rebinding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if rebinding:
            self.fields["current_code"] = forms.CharField(
                label="原验证器上的验证码或一个恢复码",
                max_length=24,
                help_text="更换手机须证明是本人：输入原来手机上的验证码；原手机已丢失的，输入一个恢复码。",
            )


class TwoFactorResetForm(forms.Form):
    reason = forms.CharField(
        label="原因", max_length=200, help_text="例如：手机丢失，本人已电话确认。"
    )
