"""What each role may use (功能权限), beyond the data scope: one predicate per guarded page.
The page refuses with it and the navigation offers the page with it, so a menu never shows a
link that answers "not found"."""

from .roles import DATA_ROLES, Role
from .scope import has_role, role_paths

# The audit log is read by the audit administrator (all of it) and the county Organization
# Department (its scope); township and branch clerks read an object's change history on the
# object's own page instead.
AUDIT_LOG_ROLES = (Role.AUDIT_ADMIN, Role.COUNTY_STAFF)

# Who may import which kind of sheet: building the organization tree is the county's work;
# training records are the cadre section's (cadres) and the organization staff's (members);
# the talent registry is the talent office's;
# any other kind is for every role that holds data.
IMPORT_ROLES = {
    "orgs": (Role.COUNTY_STAFF,),
    "training": (Role.CADRE_STAFF, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF),
    "assessments": (Role.CADRE_STAFF,),
    "talents": (Role.TALENT_STAFF,),
    "talent_demands": (Role.TALENT_STAFF,),
}


def may_read_audit_log(user) -> bool:
    return has_role(user, *AUDIT_LOG_ROLES)


def may_import(user, kind: str) -> bool:
    """Whether the user holds, on some node, a role that may import `kind`."""
    return bool(role_paths(user, *IMPORT_ROLES.get(kind, DATA_ROLES)))
