"""Who sees a household (联系户): the member linked to it (their own account), the secretary
of that member's branch, the community and the town above it (data roles on the community's
subtree), and the county organization staff. Nobody else: another member, another community,
a township outside the town get the logged 404. Tickets reuse the same filter through their
household (`prefix="household__"`)."""

from django.db.models import Q, QuerySet

from zuzhi.core.roles import DATA_ROLES, Role
from zuzhi.core.scope import ScopedQuerySet, get_or_logged_404, is_system, roles_q


def household_q(user, prefix: str = "") -> Q | None:
    """The households `user` may see, as a filter on a model reaching Household by `prefix`;
    None when none."""
    if is_system(user):
        return Q()
    if not getattr(user, "is_authenticated", False):
        return None
    parts = [
        roles_q(user, f"{prefix}community__path", *DATA_ROLES),
        roles_q(user, f"{prefix}member__organization__path", Role.BRANCH_SECRETARY),
        Q(**{f"{prefix}member__user": user}),
    ]
    q = Q()
    for part in parts:
        if part is not None:
            q |= part
    return q


class HouseholdQuerySet(ScopedQuerySet):
    """`visible_to` by the household rule above (not the plain organization scope)."""

    household_prefix = ""

    def visible_to(self, user) -> QuerySet:
        q = household_q(user, self.household_prefix)
        return self.none() if q is None else self.filter(q).distinct()

    def get_visible_or_404(self, user, **lookup):
        return get_or_logged_404(user, self.visible_to(user), self, **lookup)


class ThroughHouseholdQuerySet(HouseholdQuerySet):
    """For models with a `household` foreign key (links, tickets): seen with their household."""

    household_prefix = "household__"
