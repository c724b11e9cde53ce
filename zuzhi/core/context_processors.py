from .roles import DATA_ROLES, Role
from .scope import has_role, is_audit_admin, is_system_admin, user_scope_paths


def navigation(request):
    """Which modules the navigation offers this user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_has_data": bool(user_scope_paths(user)),
        "nav_audit": is_audit_admin(user) or has_role(user, *DATA_ROLES),
        "nav_accounts": is_system_admin(user),
        "nav_judging": has_role(user, Role.JUDGE),
    }
