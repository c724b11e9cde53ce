from zuzhi.core.roles import Role
from zuzhi.core.scope import has_role

from .selectors import role_grants_to_approve


def navigation(request):
    """How many role grants wait for this county staff member's approval (授权审批)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not has_role(user, Role.COUNTY_STAFF):
        return {}
    return {"nav_grants": role_grants_to_approve(user=user).count()}
