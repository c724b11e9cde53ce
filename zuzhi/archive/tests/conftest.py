"""Archive fixtures: the county's cadre section, a cadre with their own account, and a
township index published through the contest services."""

import datetime
from decimal import Decimal

import pytest

from zuzhi.cadres.team_services import post_appoint, team_create
from zuzhi.contests import selectors as contest_selectors
from zuzhi.contests import services as contest_services
from zuzhi.contests.models import StageKind
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.orgs.models import UnitCategory
from zuzhi.testing.factories import (
    OrganizationFactory,
    UserFactory,
    make_cadre,
    user_with_role,
    valid_id_number,
)


@pytest.fixture
def staff(county):
    return user_with_role(Role.CADRE_STAFF, county.county, username="cadre_staff")


@pytest.fixture
def owner(db):
    return UserFactory(username="cadre_self")


@pytest.fixture
def cadre(county, owner):
    return make_cadre(
        county.town_b, name="张三", id_number=valid_id_number(sequence=11), user=owner
    )


@pytest.fixture
def other_cadre(county):
    return make_cadre(county.town_a, name="李四", id_number=valid_id_number(sequence=13))


def appoint_chief(organization, name: str, sequence: int):
    """A cadre appointed 书记 of the organization's new township committee team."""
    team = team_create(actor=SYSTEM, organization=organization, kind="township_committee")
    chief = make_cadre(organization, name=name, id_number=valid_id_number(sequence=sequence))
    post_appoint(
        actor=SYSTEM,
        post=team.posts.get(title="书记"),
        cadre=chief,
        start=datetime.date(2025, 1, 5),
    )
    return chief


@pytest.fixture
def town_c(county):
    return OrganizationFactory(
        parent=county.county, code="TC", name="新集镇党委", unit_category=UnitCategory.TOWNSHIP
    )


@pytest.fixture
def published_index(county, county_user, town_c):
    """A township index, published: 城关镇 first, 新集镇 second, 城郊乡 last of three."""
    contest = contest_services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "2026年第三季度综合指数", "track": "township", "period_label": "2026Q3"},
        stages=[
            {
                "kind": "indicators",
                "name": "指标",
                "weight": Decimal(100),
                "indicators": [{"name": "综合", "weight": Decimal(100), "method": "raw"}],
            }
        ],
    )
    contest_services.entrants_add_eligible(actor=county_user, contest=contest)
    contest_services.contest_start(actor=county_user, contest=contest)
    leaf = contest_selectors.leaf_indicators(contest.stages.get(kind=StageKind.INDICATORS))[0]
    values = {county.town_a.pk: "90", town_c.pk: "80", county.town_b.pk: "70"}
    for entrant in contest.entrants.all():
        contest_services.indicator_value_set(
            actor=county_user,
            entrant=entrant,
            indicator=leaf,
            value=Decimal(values[entrant.organization_id]),
        )
    version = contest_services.result_compute(actor=county_user, contest=contest)
    contest_services.result_publish(actor=county_user, version=version)
    contest.refresh_from_db()
    return contest


def contest_key(contest) -> dict:
    """How an offer from a contest is named to the offer services."""
    return {"source_type": "contests.contest", "source_id": str(contest.pk)}
