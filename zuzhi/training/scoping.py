"""Who sees and who writes training records (培训记录的可见范围), in one place.

A cadre's record is cadre data: the cadre section (role `cadre_staff`) sees those of its
subtree and the cadre sees their own, other county staff do not (as for the cadre registry,
zuzhi.cadres.models.scoping). A member's record is the organization section's business and
follows the data scope of the member's branch. `scope_path_field` names both paths, but the
data scope applies to the member's only: never pass this model to core.scope.scope_queryset
or get_in_scope_or_404, which would read the pair as "either path in the data scope".
"""

from django.db.models import Q, QuerySet

from zuzhi.cadres.models.scoping import cadre_section_q, visible_or_404
from zuzhi.core.roles import Role
from zuzhi.core.scope import (
    ScopedQuerySet,
    deny,
    is_system,
    path_in,
    role_paths,
    roles_q,
    scope_q,
)

from .rules import CADRES

CADRE_PATH = "cadre__organization__path"
MEMBER_PATH = "member__organization__path"
# Members' training is recorded by the county and township organization staff.
MEMBER_WRITE_ROLES = (Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF)
REFUSED = "试图登记权限范围以外人员的学习记录"


def record_visible_q(user) -> Q | None:
    """The records `user` sees; None when none."""
    parts = [cadre_section_q(user, CADRE_PATH), scope_q(user, MEMBER_PATH)]
    if getattr(user, "is_authenticated", False):
        parts.append(Q(cadre__user=user))
    q = None
    for one in parts:
        if one is not None:
            q = one if q is None else q | one
    return q


class TrainingRecordQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> QuerySet:
        q = record_visible_q(user)
        return self.filter(q) if q is not None else self.none()

    def get_visible_or_404(self, user, **lookup):
        return visible_or_404(self, user, **lookup)


def member_writer_q(actor, field: str) -> Q | None:
    """The subtrees where `actor` records members' training, on `field`; None for none."""
    return roles_q(actor, field, *MEMBER_WRITE_ROLES)


def may_write_cadre_path(actor, path: str) -> bool:
    if is_system(actor):
        return True
    return any(path_in(path, root) for root in role_paths(actor, Role.CADRE_STAFF))


def may_write_member_path(actor, path: str) -> bool:
    if is_system(actor):
        return True
    return any(path_in(path, root) for root in role_paths(actor, *MEMBER_WRITE_ROLES))


def require_person_writable(actor, *, cadre=None, member=None) -> None:
    """The write check of a record: the cadre section for a cadre (not the cadre themself),
    county or township staff of the member's branch for a member; else the logged 404."""
    if cadre is not None:
        ok = may_write_cadre_path(actor, cadre.organization.path)
    else:
        ok = may_write_member_path(actor, member.organization.path)
    if not ok:
        raise deny(actor, target=cadre or member, message=REFUSED)


def may_manage_group(actor, group: str) -> bool:
    """Who may add courses for a group and import its records: the cadre section for
    cadres, county or township staff for members."""
    if is_system(actor):
        return True
    if group == CADRES:
        return bool(role_paths(actor, Role.CADRE_STAFF))
    return bool(role_paths(actor, *MEMBER_WRITE_ROLES))


def may_set_requirement(actor, group: str) -> bool:
    """The yearly requirement is county-wide: the cadre section sets the cadres', the county
    staff the members'."""
    if is_system(actor):
        return True
    return bool(role_paths(actor, Role.CADRE_STAFF if group == CADRES else Role.COUNTY_STAFF))
