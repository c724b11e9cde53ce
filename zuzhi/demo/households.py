"""Demo 千名党员联万户: the households of the town's communities (about nine for each member
of the county units, 27,000 for the full demo), linked to those members by the balanced bulk
assignment, and `lianhu1`, a member's own account with about ten households."""

import random

from zuzhi.accounts.services import user_upsert
from zuzhi.core.scope import SYSTEM
from zuzhi.households import services
from zuzhi.households.models import Household
from zuzhi.households.rules import county_unit_member_q
from zuzhi.members.models import Member
from zuzhi.members.services import member_account_link
from zuzhi.orgs.models import Organization, UnitCategory

from .seeding import mobile, person_name

ROADS = ["人民路", "淮源大道", "新华街", "建设路", "桐柏山路", "红叶路", "文化街", "滨河路"]
PER_MEMBER = 9.3  # 2,903 members and 27,000 households in the seed
PER_GRID = 300


def _communities(demo) -> list[Organization]:
    return list(
        Organization.objects.filter(
            parent__in=demo.townships, unit_category=UnitCategory.COMMUNITY, is_active=True
        ).order_by("path")
    )


def _rows(rng: random.Random, communities, total: int):
    rows = []
    for n in range(total):
        community = communities[n % len(communities)]
        k = n // len(communities)
        rows.append(
            (
                community,
                {
                    "grid": f"第{k // PER_GRID + 1}网格",
                    "address": f"{ROADS[k % len(ROADS)]}{k // 40 + 1}号{k % 40 // 8 + 1}栋"
                    f"{k % 8 + 1}0{k % 3 + 1}室",
                    "head_name": person_name(rng),
                    "phone": mobile(rng),
                    "people": rng.randint(1, 6),
                },
            )
        )
    return rows


def seed_households(*, demo, rng: random.Random, password: str) -> tuple[int, list]:
    """Returns (households, the `lianhu1` login to print)."""
    members = list(
        Member.objects.filter(county_unit_member_q()).select_related("organization").order_by("pk")
    )
    communities = _communities(demo)
    if not members or not communities:
        return 0, []
    added = 0
    if not Household.objects.exists():  # a second run adds nothing
        total = round(len(members) * PER_MEMBER)
        services.household_bulk_insert(actor=SYSTEM, rows=_rows(rng, communities, total))
        # Each community's households go to the next block of members (in unit order), so a
        # member's households are neighbours, as the seed's "near where they live or work".
        share = len(members) / len(communities)
        for i, community in enumerate(communities):
            services.household_links_bulk_assign(
                actor=SYSTEM,
                households=Household.objects.filter(community=community),
                members=members[round(i * share) : round((i + 1) * share)],
            )
        # What a community's block could not take goes to whoever still has room.
        services.household_links_bulk_assign(
            actor=SYSTEM, households=Household.objects.filter(member__isnull=True), members=members
        )
        added = total
    own = Member.objects.filter(user__username="lianhu1").first() or next(
        m for m in members if m.linked_households.count() >= 9
    )
    account = user_upsert(username="lianhu1", password=password, full_name=own.name, roles=[])
    if own.user_id != account.pk:
        member_account_link(actor=SYSTEM, member=own, user=account)
    return added, [("lianhu1", own.name, f"联户党员本人账号 · {own.organization.name}")]
