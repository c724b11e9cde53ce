"""Who sees cadre data (干部信息的可见范围), in one place.

Cadre records are not the organization section's business data: county staff of other
sections do not see them. The cadre section (role `cadre_staff`) sees every record whose
unit is in its subtree; a cadre's own account sees their own record and what hangs on it.
Teams are the exception: township staff see their own township's teams (the team pages
show names, posts, ranks, age and education, never the record behind them)."""

from django.db.models import Q, QuerySet

from zuzhi.core.fields import SealedQuerySetMixin
from zuzhi.core.roles import Role
from zuzhi.core.scope import (
    ScopedQuerySet,
    deny,
    get_or_logged_404,
    is_system,
    path_in,
    role_paths,
    roles_q,
    with_own_records,
)


def cadre_section_q(user, field: str) -> Q | None:
    """The cadre section's scope on `field`; None when the user is not in it."""
    return roles_q(user, field, Role.CADRE_STAFF)


def is_cadre_staff(user) -> bool:
    return cadre_section_q(user, "path") is not None


def in_cadre_section(user, path: str) -> bool:
    """Whether the user is the cadre section over `path` (the system is everywhere)."""
    return is_system(user) or any(path_in(path, r) for r in role_paths(user, Role.CADRE_STAFF))


def require_cadre_section(actor, path: str, *, target=None, message: str = "") -> None:
    """The write check of cadre data: only the cadre section whose subtree holds `path`
    writes (a cadre's own account reads its record but never writes it); otherwise the
    logged 404 of `deny`."""
    if in_cadre_section(actor, path):
        return
    raise deny(actor, target=target, message=message or "试图修改权限范围以外的干部信息")


class CadreQuerySet(ScopedQuerySet):
    """Managers of cadre data: `visible_to` is the cadre section's subtree plus the user's
    own record (through `own_field`: "user" on Cadre, "cadre__user" below it)."""

    def visible_to(self, user) -> QuerySet:
        q = with_own_records(self.model, user, cadre_section_q(user, self.model.scope_path_field))
        return self.filter(q) if q is not None else self.none()

    def get_visible_or_404(self, user, **lookup):
        return visible_or_404(self, user, **lookup)


class SealedCadreQuerySet(SealedQuerySetMixin, CadreQuerySet):
    """The cadre scope for a model with encrypted fields (the cadre's ID number and phone)."""


class TeamQuerySet(ScopedQuerySet):
    """Teams: the cadre section's subtree, and the subtrees of township and county staff
    (not a branch secretary's: a county unit's team hangs on the unit's own branch)."""

    def visible_to(self, user) -> QuerySet:
        field = self.model.scope_path_field
        q = None
        for one in (
            cadre_section_q(user, field),
            roles_q(user, field, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF),
        ):
            if one is not None:
                q = one if q is None else q | one
        return self.filter(q) if q is not None else self.none()

    def get_visible_or_404(self, user, **lookup):
        return visible_or_404(self, user, **lookup)


def visible_or_404(qs: QuerySet, user, **lookup):
    """The object if the user sees it; 404 alike for missing and forbidden, the forbidden one
    logged (as core.scope.get_in_scope_or_404 does for the data scope)."""
    return get_or_logged_404(user, qs.visible_to(user), qs, **lookup)
