from zuzhi.core.roles import Role
from zuzhi.core.scope import has_role

from .selectors import role_grants_to_approve, two_factor_resets_to_decide


def navigation(request):
    """How many requests wait for this user's approval: role grants for county staff (授权审批),
    second-factor resets for administrators (两步验证重置)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context = {}
    if has_role(user, Role.COUNTY_STAFF):
        context["nav_grants"] = role_grants_to_approve(user=user).count()
    if has_role(user, Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN):
        context["nav_two_factor_resets"] = two_factor_resets_to_decide(user=user).count()
    return context
