import datetime
from dataclasses import dataclass

import pytest

from zuzhi.cadres.rank_services import establishment_set
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import make_cadre, user_with_role, valid_id_number

CUTOFF = datetime.date(2026, 6, 30)
EFFECTIVE = datetime.date(2026, 7, 1)


def id_number(sequence: int) -> str:
    return valid_id_number(birth="19800101", sequence=sequence)


@dataclass
class World:
    county: object
    staff: object
    unit: object


@pytest.fixture
def world(county):
    # 20 posts: 二级调研员 0, 三级+四级调研员 2, 主任科员 12 places.
    establishment_set(actor=SYSTEM, organization=county.unit, posts=20)
    return World(
        county=county,
        staff=user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer"),
        unit=county.unit,
    )


_seq = iter(range(100, 999))


@pytest.fixture
def cadre(world):
    """A cadre of the unit in `rank` since `since`."""

    def _make(name, rank="principal_1", since=datetime.date(2020, 1, 1), org=None):
        return make_cadre(
            org or world.unit,
            name=name,
            id_number=id_number(next(_seq)),
            rank=rank,
            rank_since=since,
        )

    return _make


@pytest.fixture
def grade():
    from zuzhi.cadres.services import assessment_set

    def _grade(cadre, **years):
        for year, result in years.items():
            assessment_set(
                actor=SYSTEM, cadre=cadre, year=int(year.removeprefix("y")), result=result
            )

    return _grade
