from .access import may_import, may_read_audit_log
from .roles import Role
from .scope import has_role, is_system_admin, user_scope_paths


def navigation(request):
    """Which modules the navigation offers this user: each by the check its page refuses with
    (core.access), so no role is offered a page it cannot use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_has_data": bool(user_scope_paths(user)),
        "nav_audit": may_read_audit_log(user),
        # The import the menu offers: the organization tree for the county, else members.
        "nav_import": next((k for k in ("orgs", "members") if may_import(user, k)), None),
        "nav_accounts": is_system_admin(user),
        "nav_judging": has_role(user, Role.JUDGE),
        # A cadre's own account (干部本人): the reverse one-to-one, so core imports no app.
        "nav_cadre_self": hasattr(user, "cadre_record"),
        "nav_cadre_staff": has_role(user, Role.CADRE_STAFF),
        "nav_talent_staff": has_role(user, Role.TALENT_STAFF),
        # A talent's own account (人才本人), by the reverse one-to-one as for cadres.
        "nav_talent_self": hasattr(user, "talent_record"),
    }
