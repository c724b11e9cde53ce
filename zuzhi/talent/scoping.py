"""Who sees talent data (人才工作的可见范围), in one place, for every talent app (registry,
demand catalogue, challenges, subsidies, apartments, care).

Talent work is the talent office's (人才办, role `talent_staff`, held on the county node):
it sees and writes everything whose county is in its subtree. County staff of other sections,
townships, branch secretaries and employers see nothing here. A talent given an account sees
their own record and what hangs on it (their subsidy lines, their flat) through `own_field`."""

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


def talent_office_q(user, field: str) -> Q | None:
    """The talent office's scope on `field`; None when the user is not in it."""
    return roles_q(user, field, Role.TALENT_STAFF)


def is_talent_staff(user) -> bool:
    return is_system(user) or bool(role_paths(user, Role.TALENT_STAFF))


def in_talent_office(user, path: str) -> bool:
    """Whether the user is the talent office over `path` (the system is everywhere)."""
    return is_system(user) or any(path_in(path, r) for r in role_paths(user, Role.TALENT_STAFF))


def require_talent_office(actor, path: str = "", *, target=None, message: str = "") -> None:
    """The write check of talent data: only the talent office whose subtree holds `path`
    writes (with no `path`: the talent office of any county); otherwise the logged 404."""
    if in_talent_office(actor, path) if path else is_talent_staff(actor):
        return
    raise deny(actor, target=target, message=message or "试图查看或修改人才工作数据（仅人才办）")


def talent_county(user):
    """The county the user's talent office works for: the top node where they hold the role
    (new records are filed there)."""
    from zuzhi.orgs.models import Organization

    roots = role_paths(user, Role.TALENT_STAFF)
    if not roots:
        raise deny(user, message="人才工作为县委组织部人才办使用。")
    return Organization.objects.get(path=roots[0])


class TalentQuerySet(ScopedQuerySet):
    """Managers of talent data: `visible_to` is the talent office's subtree plus, through
    `own_field` ("user" on Talent, "talent__user" below it), the talent's own rows."""

    def visible_to(self, user) -> QuerySet:
        q = with_own_records(self.model, user, talent_office_q(user, self.model.scope_path_field))
        return self.filter(q) if q is not None else self.none()

    def get_visible_or_404(self, user, **lookup):
        return get_or_logged_404(user, self.visible_to(user), self, **lookup)


class SealedTalentQuerySet(SealedQuerySetMixin, TalentQuerySet):
    """The talent office's scope for a model with encrypted fields (ID number, phone)."""
