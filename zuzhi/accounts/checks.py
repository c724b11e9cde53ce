"""Start-up checks of the account settings."""

from django.conf import settings
from django.core.checks import Error, register

from zuzhi.core.roles import Role


@register()
def two_factor_roles_check(app_configs, **kwargs):
    """A misspelt role in ZUZHI_OTP_REQUIRED_ROLES would quietly let that role in without a
    second factor: refuse to start instead."""
    unknown = sorted(set(settings.ZUZHI_OTP_REQUIRED_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"ZUZHI_OTP_REQUIRED_ROLES 含有不存在的角色：{'、'.join(unknown)}。",
            hint=f"可用的角色：{', '.join(Role.values)}",
            id="accounts.E001",
        )
    ]
