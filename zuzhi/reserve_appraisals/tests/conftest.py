import datetime

import pytest

from zuzhi.reserve_appraisals import services
from zuzhi.reserve_appraisals.rules import Dimension

from .factories import pooled_reserves

OPENED = datetime.date(2026, 6, 20)


@pytest.fixture
def pool(county):
    """Two reserves in the pool in town A (villages A1, A2) and one in town B."""
    a1, a2, b1 = pooled_reserves(
        county=county,
        people=[
            (county.village_a1, "陈晓", 401),
            (county.village_a2, "李明", 402),
            (county.village_b1, "王强", 403),
        ],
    )
    return {"a1": a1, "a2": a2, "b1": b1}


@pytest.fixture
def opened(county, town_a_user, pool):
    """Town A's 2026 first-half appraisal with four codes."""
    return services.appraisal_open(
        actor=town_a_user, township=county.town_a, year=2026, half=1, codes=4, opened_on=OPENED
    )


def marks_for(appraisal, grades: dict[int, list[str]]) -> dict[int, dict[str, str]]:
    """A full ballot: for each subject id, five grades in the order 德能勤绩廉 (or one grade
    repeated five times when a single grade is given)."""
    result = {}
    for s in appraisal.subjects.all():
        given = grades.get(s.candidate_id, ["competent"])
        given = given * 5 if len(given) == 1 else given
        result[s.pk] = dict(zip(Dimension.values, given, strict=True))
    return result
