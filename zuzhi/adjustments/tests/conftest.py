"""Adjustment-case fixtures: a township committee team in each of the two townships, with a
chief (书记) and a deputy, the default problem types, and the cadre section."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from zuzhi.archive.tests.conftest import published_index, town_c  # noqa: F401 (fixtures)
from zuzhi.cadres.team_services import post_appoint, team_create
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import UserFactory, make_cadre, user_with_role, valid_id_number
from zuzhi.three_ones.models import ProblemType
from zuzhi.three_ones.services import ProblemInput, contact_log, problem_types_load_defaults

START = datetime.date(2025, 1, 6)


@dataclass
class World:
    staff: object  # the county's cadre section
    team_a: object
    team_b: object
    chief_a: object
    deputy_a: object
    chief_b: object
    chief_b_user: object

    def log_problems(self, cadre, aspect: str, days_ago: list[int], *, team=None):
        """One monthly visit per day, each finding one problem of `aspect` about `cadre`."""
        problem_type = ProblemType.objects.filter(aspect=aspect).first()
        today = timezone.localdate()
        for ago in days_ago:
            contact_log(
                actor=self.staff,
                team=team or self.team_a,
                kind="monthly_visit",
                date=today - datetime.timedelta(days=ago),
                cadres=[cadre],
                summary="走访了解情况",
                problems=[ProblemInput(cadre=cadre, problem_type=problem_type, description="表现")],
            )


def _appoint(team, title, cadre):
    return post_appoint(actor=SYSTEM, post=team.posts.get(title=title), cadre=cadre, start=START)


@pytest.fixture
def world(county):
    team_a = team_create(actor=SYSTEM, organization=county.town_a, kind="township_committee")
    team_b = team_create(actor=SYSTEM, organization=county.town_b, kind="township_committee")
    chief_b_user = UserFactory(username="shuji_b")
    chief_a = make_cadre(county.town_a, name="甲书记", id_number=valid_id_number(sequence=21))
    deputy_a = make_cadre(county.town_a, name="甲副书记", id_number=valid_id_number(sequence=23))
    chief_b = make_cadre(
        county.town_b, name="乙书记", id_number=valid_id_number(sequence=25), user=chief_b_user
    )
    _appoint(team_a, "书记", chief_a)
    _appoint(team_a, "副书记", deputy_a)
    _appoint(team_b, "书记", chief_b)
    problem_types_load_defaults(actor=SYSTEM)
    return World(
        staff=user_with_role(Role.CADRE_STAFF, county.county, username="ganbuke"),
        team_a=team_a,
        team_b=team_b,
        chief_a=chief_a,
        deputy_a=deputy_a,
        chief_b=chief_b,
        chief_b_user=chief_b_user,
    )
