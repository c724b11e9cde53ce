import datetime
from dataclasses import dataclass

import pytest

from zuzhi.cadres.team_services import post_appoint, team_create
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import UserFactory, make_cadre, user_with_role, valid_id_number
from zuzhi.three_ones.models import ProblemType
from zuzhi.three_ones.services import problem_types_load_defaults

DAY = datetime.date(2026, 3, 2)
START = datetime.date(2025, 1, 6)


def id_number(sequence: int) -> str:
    return valid_id_number(birth="19800101", sequence=sequence)


@dataclass
class World:
    cadre_staff: object
    team_a: object
    team_b: object
    leader_a: object  # the user of town A's Party secretary
    leader_b: object
    secretary_a: object  # cadres
    deputy_a1: object
    deputy_a2: object
    deputy_b: object
    deputy_a1_user: object

    def type(self, name: str) -> ProblemType:
        return ProblemType.objects.get(name=name)


def _appoint(team, title, cadre):
    return post_appoint(actor=SYSTEM, post=team.posts.get(title=title), cadre=cadre, start=START)


@pytest.fixture
def world(county):
    team_a = team_create(actor=SYSTEM, organization=county.town_a, kind="township_committee")
    team_b = team_create(actor=SYSTEM, organization=county.town_b, kind="township_committee")
    leader_a, leader_b = UserFactory(username="shuji_a"), UserFactory(username="shuji_b")
    deputy_a1_user = UserFactory(username="fushuji_a")
    secretary_a = make_cadre(county.town_a, name="甲书记", id_number=id_number(1), user=leader_a)
    secretary_b = make_cadre(county.town_b, name="乙书记", id_number=id_number(2), user=leader_b)
    deputy_a1 = make_cadre(
        county.town_a, name="甲副书记", id_number=id_number(3), user=deputy_a1_user
    )
    deputy_a2 = make_cadre(county.town_a, name="甲组织委员", id_number=id_number(4))
    deputy_b = make_cadre(county.town_b, name="乙组织委员", id_number=id_number(5))
    _appoint(team_a, "书记", secretary_a)
    _appoint(team_a, "副书记", deputy_a1)
    _appoint(team_a, "组织委员", deputy_a2)
    _appoint(team_b, "书记", secretary_b)
    _appoint(team_b, "组织委员", deputy_b)
    problem_types_load_defaults(actor=SYSTEM)
    return World(
        cadre_staff=user_with_role(Role.CADRE_STAFF, county.county, username="ganbuke"),
        team_a=team_a,
        team_b=team_b,
        leader_a=leader_a,
        leader_b=leader_b,
        secretary_a=secretary_a,
        deputy_a1=deputy_a1,
        deputy_a2=deputy_a2,
        deputy_b=deputy_b,
        deputy_a1_user=deputy_a1_user,
    )
