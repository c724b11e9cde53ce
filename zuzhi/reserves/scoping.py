"""Who manages village reserves (村级后备力量): township staff their township's villages,
county staff every village. A branch secretary, though a data role, sees none: the reserves
of a village are chosen over the secretary's head (they may succeed them)."""

from django.db.models import QuerySet
from django.http import Http404

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
)
from zuzhi.orgs.models import UnitCategory

RESERVE_ROLES = (Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF)
# Reserves are kept for villages and urban communities (村、社区), listed by township (乡镇、街道).
VILLAGE_CATEGORIES = (UnitCategory.VILLAGE, UnitCategory.COMMUNITY)
TOWNSHIP_CATEGORIES = (UnitCategory.TOWNSHIP, UnitCategory.SUBDISTRICT)


def reserve_roots(user) -> list[str]:
    return role_paths(user, *RESERVE_ROLES)


def may_manage_reserves(user) -> bool:
    return is_system(user) or bool(reserve_roots(user))


def require_reserve_manager(user) -> None:
    """The reserve pages and API are county and township staff's; others get none (a role
    check before any object: the pages of one village are refused by the scope)."""
    if not may_manage_reserves(user):
        raise Http404("村级后备力量由乡镇党委和县委组织部管理。")


def in_reserve_scope(user, path: str) -> bool:
    return is_system(user) or any(path_in(path, root) for root in reserve_roots(user))


def require_reserve_scope(actor, path: str, *, target=None, message: str = "") -> None:
    """The scope check of every write; outside it, the logged 404 of core.scope.deny."""
    if not in_reserve_scope(actor, path):
        raise deny(actor, target=target, message=message)


class ReserveQuerySet(ScopedQuerySet):
    """`visible_to` by the reserve roles only (see the module docstring)."""

    def visible_to(self, user) -> QuerySet:
        q = roles_q(user, self.model.scope_path_field, *RESERVE_ROLES)
        return self.none() if q is None else self.filter(q)

    def get_visible_or_404(self, user, **lookup):
        return get_or_logged_404(user, self.visible_to(user), self, **lookup)


class SealedReserveQuerySet(SealedQuerySetMixin, ReserveQuerySet):
    """The reserve scope of a model with encrypted fields (core.fields)."""
