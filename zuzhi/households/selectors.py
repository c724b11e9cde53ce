"""Reads of households and links (联系户): every one starts from the household scope
(scoping.household_q) and aggregates in the database, never over a scope in Python."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from zuzhi.core.scope import get_or_logged_404
from zuzhi.core.text import initials_q
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization
from zuzhi.orgs.picker import OrgFilter, org_filter

from .models import Household, HouseholdLink
from .rules import COMMUNITY_CATEGORIES, COUNTY_UNIT_CATEGORIES, county_unit_member_q

# What a linked/unlinked filter may say.
LINKED, UNLINKED, TO_RELINK = "linked", "unlinked", "relink"


def _to_relink_q() -> Q:
    """Linked to a member who no longer qualifies (left the county unit or the county)."""
    return Q(member__isnull=False) & ~county_unit_member_q("member__")


def household_list(
    *,
    user,
    community: Organization | None = None,
    grid: str = "",
    link_state: str = "",
    query: str = "",
) -> QuerySet[Household]:
    """The households the user may see, filtered: community (and everything below it), grid,
    linked / unlinked / 待重新联系, and a head's name, its pinyin initials or an address."""
    qs = Household.objects.visible_to(user).select_related("community", "member")
    if community is not None:
        qs = qs.filter(community__path__startswith=community.path)
    if grid:
        qs = qs.filter(grid=grid)
    if link_state == LINKED:
        qs = qs.filter(member__isnull=False)
    elif link_state == UNLINKED:
        qs = qs.filter(member__isnull=True)
    elif link_state == TO_RELINK:
        qs = qs.filter(_to_relink_q())
    query = "".join(query.split())
    if query:
        q = Q(head_name__contains=query) | Q(address__contains=query)
        if query.isascii() and query.isalpha():
            q |= initials_q("head_initials", query)
        qs = qs.filter(q)
    return qs.order_by("community__path", "grid", "address", "pk")


def household_get(*, user, pk) -> Household:
    """One household the user may see; the logged 404 for another member's, another
    community's or another township's."""
    return Household.objects.select_related("community", "member").get_visible_or_404(user, pk=pk)


def households_to_relink(*, user) -> QuerySet[Household]:
    """待重新联系: households whose member left their county unit or the county, until
    reassigned (a query on the member's organization, not a loop)."""
    return household_list(user=user, link_state=TO_RELINK)


def my_households(*, user) -> QuerySet[Household]:
    """我联系的住户: the households linked to the user's own member record."""
    if not getattr(user, "is_authenticated", False):
        return Household.objects.none()
    return (
        Household.objects.filter(member__user=user)
        .select_related("community")
        .order_by("community__path", "grid", "address", "pk")
    )


def link_list(
    *, user, household: Household | None = None, member_id: int | None = None, current=None
) -> QuerySet[HouseholdLink]:
    """Links (history included) of the households the user may see."""
    qs = HouseholdLink.objects.visible_to(user).select_related(
        "household__community", "member__organization"
    )
    if household is not None:
        qs = qs.filter(household=household)
    if member_id is not None:
        qs = qs.filter(member_id=member_id)
    if current is not None:
        qs = qs.filter(ended_on__isnull=current)
    return qs.order_by("household_id", "-started_on", "-pk")


def link_get(*, user, pk) -> HouseholdLink:
    return HouseholdLink.objects.select_related(
        "household__community", "member"
    ).get_visible_or_404(user, pk=pk)


def community_choices(*, user) -> QuerySet[Organization]:
    """The villages and communities of the user's scope, where households are registered."""
    return Organization.objects.visible_to(user).filter(
        unit_category__in=COMMUNITY_CATEGORIES, is_active=True
    )


def community_filter(*, user, chosen: Organization | None) -> OrgFilter:
    """The list's community filter: a select for a county's, the picker for a province's."""
    return org_filter(
        user=user,
        name="community",
        label="社区（村）",
        chosen=chosen,
        unit_categories=COMMUNITY_CATEGORIES,
    )


def community_get(*, user, pk) -> Organization:
    return get_or_logged_404(
        user,
        community_choices(user=user),
        Organization.objects.all(),
        pk=pk,
    )


def unit_choices(*, user) -> QuerySet[Organization]:
    """The county-unit organizations of the user's scope, whose members may be linked."""
    return Organization.objects.visible_to(user).filter(
        unit_category__in=COUNTY_UNIT_CATEGORIES, is_active=True
    )


def linkable_members(*, user, unit: Organization | None = None) -> QuerySet[Member]:
    """Members of county units in the user's scope (under `unit`), each with their load."""
    qs = Member.objects.visible_to(user)
    if unit is not None:
        qs = qs.filter(organization__path__startswith=unit.path)
    return (
        qs.filter(county_unit_member_q())
        .select_related("organization")
        .annotate(load=Count("household_links", filter=Q(household_links__ended_on__isnull=True)))
        .order_by("organization__path", "name", "pk")
    )


def linkable_member_get(*, user, pk) -> Member:
    """A member the user may link households to; other members are the logged 404."""
    return get_or_logged_404(
        user, Member.objects.visible_to(user).select_related("organization"), Member.objects, pk=pk
    )


def linkable_members_by_ids(*, user, ids: list[int]) -> list[Member]:
    """The members named by `ids`, in that order, all in the user's scope: one query; any
    other id is the logged 404 (bulk assignment names many members at once)."""
    ids = list(dict.fromkeys(ids))
    found = {
        m.pk: m
        for m in Member.objects.visible_to(user).select_related("organization").filter(pk__in=ids)
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        linkable_member_get(user=user, pk=missing[0])
    return [found[pk] for pk in ids]


@dataclass
class CommunityCoverage:
    community_id: int
    name: str
    households: int
    linked: int
    to_relink: int

    @property
    def share(self) -> float | None:
        """Share of households linked to a member who qualifies (0–1); None without any."""
        return (self.linked - self.to_relink) / self.households if self.households else None


def coverage_by_community(*, user) -> list[CommunityCoverage]:
    """Per village or community: households, linked, of which 待重新联系 (one grouped query)."""
    rows = (
        Household.objects.visible_to(user)
        .order_by()
        .values("community_id", "community__name", "community__path")
        .annotate(
            households=Count("id", distinct=True),
            linked=Count("id", filter=Q(member__isnull=False), distinct=True),
            to_relink=Count("id", filter=_to_relink_q(), distinct=True),
        )
        .order_by("community__path")
    )
    return [
        CommunityCoverage(
            community_id=r["community_id"],
            name=r["community__name"],
            households=r["households"],
            linked=r["linked"],
            to_relink=r["to_relink"],
        )
        for r in rows
    ]


@dataclass
class UnitCoverage:
    organization_id: int
    name: str
    members: int
    members_linked: int
    households: int

    @property
    def share(self) -> float | None:
        """Share of the unit's members linked to at least one household (0–1)."""
        return self.members_linked / self.members if self.members else None


def coverage_by_unit(*, user) -> list[UnitCoverage]:
    """Per county-unit organization: its members (in the user's scope), members linked and
    households linked (among those the user sees): two grouped queries."""
    members = {
        r["organization_id"]: r
        for r in Member.objects.visible_to(user)
        .filter(county_unit_member_q())
        .order_by()
        .values("organization_id", "organization__name", "organization__path")
        .annotate(n=Count("id"))
    }
    linked = {
        r["member__organization_id"]: r
        for r in Household.objects.visible_to(user)
        .filter(member__isnull=False)
        .filter(county_unit_member_q("member__"))
        .order_by()
        .values(
            "member__organization_id", "member__organization__name", "member__organization__path"
        )
        .annotate(households=Count("id", distinct=True), members=Count("member_id", distinct=True))
    }
    result = []
    for org_id in set(members) | set(linked):
        m, k = members.get(org_id), linked.get(org_id)
        result.append(
            (
                (m or {}).get("organization__path") or k["member__organization__path"],
                UnitCoverage(
                    organization_id=org_id,
                    name=m["organization__name"] if m else k["member__organization__name"],
                    members=m["n"] if m else 0,
                    members_linked=k["members"] if k else 0,
                    households=k["households"] if k else 0,
                ),
            )
        )
    return [row for _, row in sorted(result, key=lambda pair: pair[0])]
