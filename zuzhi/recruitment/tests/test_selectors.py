"""Recruitment steps the home page reminds of: the waits the regulations fix, once over."""

import datetime

from zuzhi.core.scope import SYSTEM
from zuzhi.recruitment.selectors import recruitment_steps_due
from zuzhi.recruitment.services import (
    candidate_advance,
    candidate_apply,
    candidate_extend_probation,
)
from zuzhi.testing.factories import valid_id_number

TODAY = datetime.date.today()


def ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def candidate(org, n: int, *steps: datetime.date):
    c = candidate_apply(
        actor=SYSTEM,
        organization=org,
        applied_on=ago(1500),
        data={"name": f"赵{n}", "id_number": valid_id_number("19950101", n), "ethnicity": "01"},
    )
    for on in steps:
        c = candidate_advance(actor=SYSTEM, candidate=c, on=on)
    return c


def test_activists_of_a_year_and_probationers_at_the_end_of_probation(
    county, county_user, town_a_user, town_b_user
):
    candidate(county.village_a1, 1, ago(400))  # activist for 400 days: due
    candidate(county.village_a1, 2, ago(300))  # activist for 300 days: not yet
    candidate(county.village_a2, 3, ago(1200), ago(800), ago(370))  # probation over
    extended = candidate(county.village_b1, 4, ago(1200), ago(800), ago(380))
    candidate_extend_probation(actor=SYSTEM, candidate=extended, months=3, reason="需继续考察")
    town_a = recruitment_steps_due(user=town_a_user, today=TODAY)
    assert (town_a.activists, town_a.activists_oldest) == (1, ago(400))
    assert (town_a.probationers, town_a.probationers_oldest) == (1, ago(370))
    # 380 days after admission plus three months' extension: not over yet.
    assert recruitment_steps_due(user=town_b_user, today=TODAY).probationers == 0
    later = recruitment_steps_due(user=town_b_user, today=TODAY + datetime.timedelta(days=100))
    assert later.probationers == 1
    county_wide = recruitment_steps_due(user=county_user, today=TODAY)
    assert (county_wide.activists, county_wide.probationers) == (1, 1)
