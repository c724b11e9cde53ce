import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from zuzhi.cadres.team_services import post_appoint, team_create
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.team_appraisal import services
from zuzhi.team_appraisal.models import OVERALL, Dimension
from zuzhi.testing.factories import UserFactory, make_cadre, user_with_role, valid_id_number

START = datetime.date(2025, 1, 6)
GROUPS = [
    services.GroupInput("班子成员", Decimal(30), 5),
    services.GroupInput("中层干部", Decimal(40), 5),
    services.GroupInput("服务对象", Decimal(30), 5),
]


@dataclass
class World:
    county: object
    staff: object  # the cadre section
    team: object  # town A's Party committee
    leader: object  # the account of town A's Party secretary
    secretary: object
    deputy: object
    member: object


@pytest.fixture
def world(county):
    team = team_create(actor=SYSTEM, organization=county.town_a, kind="township_committee")
    leader = UserFactory(username="shuji_a")
    people = [
        make_cadre(
            county.town_a,
            name=name,
            id_number=valid_id_number(birth="19800101", sequence=300 + i),
            user=leader if i == 0 else None,
        )
        for i, name in enumerate(["甲书记", "甲副书记", "甲组织委员"])
    ]
    for title, cadre in zip(["书记", "副书记", "组织委员"], people, strict=True):
        post_appoint(actor=SYSTEM, post=team.posts.get(title=title), cadre=cadre, start=START)
    return World(
        county=county,
        staff=user_with_role(Role.CADRE_STAFF, county.county, username="ganbuke"),
        team=team,
        leader=leader,
        secretary=people[0],
        deputy=people[1],
        member=people[2],
    )


def full_marks(appraisal, overall=None, default="competent") -> dict:
    """A complete ballot: every dimension `default`; overall grades by cadre from `overall`."""
    overall = overall or {}
    return {
        s.pk: {
            **dict.fromkeys(Dimension.values, default),
            OVERALL: overall.get(s.cadre_id, default),
        }
        for s in appraisal.subjects.all()
    }


@pytest.fixture
def opened(world):
    def _open(groups=GROUPS, **kwargs):
        return services.appraisal_open(
            actor=world.staff, team=world.team, year=2026, groups=groups, **kwargs
        )

    return _open
