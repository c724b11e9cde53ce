"""Who sees a household (联系户): the member linked to it (their own account), the secretary
of that member's branch, the community and the town above it (data roles on the community's
subtree), and the county organization staff. Nobody else: another member, another community,
a township outside the town get the logged 404. Tickets reuse the same filter through their
household (`prefix="household__"`).

Each part of the rule is a filter on the household's own columns that one index serves (the
community's path, the linked member's id); a user holding several parts gets their union as
a semi-join (`core.scope.any_of_q`), never one `OR` across the joined tables."""

from django.db.models import Q, QuerySet

from zuzhi.core.roles import DATA_ROLES, Role
from zuzhi.core.scope import (
    PATH_STEP,
    ScopedQuerySet,
    any_of_q,
    get_or_logged_404,
    is_system,
    path_upper_bound,
    role_paths,
    roots_q,
)


def _whole_tree(roots: list[str]) -> bool:
    """Whether `roots` hold every organization (the province staff on the one root): their
    part is then every household, counted and ordered without joining the tree (two index
    probes decide it)."""
    from zuzhi.orgs.models import Organization

    if len(roots) != 1 or len(roots[0]) != PATH_STEP:
        return False
    outside = Q(path__lt=roots[0]) | Q(path__gte=path_upper_bound(roots[0]))
    return not Organization.objects.filter(outside).exists()


def household_parts(user) -> list[Q]:
    """The parts of the rule `user` holds, as filters on Household (none: sees nothing; an
    empty Q: every household)."""
    from zuzhi.members.models import Member
    from zuzhi.members.selectors import own_member_id

    if not getattr(user, "is_authenticated", False):
        return []
    parts = []
    roots = role_paths(user, *DATA_ROLES)
    if roots:
        parts.append(Q() if _whole_tree(roots) else roots_q(roots, "community__path"))
    branches = role_paths(user, Role.BRANCH_SECRETARY)
    if branches:
        members = Member.objects.filter(roots_q(branches, "organization__path"))
        parts.append(Q(member__in=members.order_by().values("pk")))
    member_id = own_member_id(user)
    if member_id is not None:
        parts.append(Q(member_id=member_id))
    return parts


def household_q(user, prefix: str = "") -> Q | None:
    """The households `user` may see, as a filter on a model reaching Household by `prefix`;
    None when none."""
    if is_system(user):
        return Q()
    from .models import Household

    return any_of_q(Household, household_parts(user), f"{prefix}pk")


class HouseholdQuerySet(ScopedQuerySet):
    """`visible_to` by the household rule above (not the plain organization scope)."""

    household_prefix = ""

    def visible_to(self, user) -> QuerySet:
        q = household_q(user, self.household_prefix)
        return self.none() if q is None else self.filter(q)

    def get_visible_or_404(self, user, **lookup):
        return get_or_logged_404(user, self.visible_to(user), self, **lookup)


class ThroughHouseholdQuerySet(HouseholdQuerySet):
    """For models with a `household` foreign key (links, tickets): seen with their household."""

    household_prefix = "household__"
