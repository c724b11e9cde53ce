import datetime
import random

from zuzhi.demo.seeding import DemoCounty
from zuzhi.demo.team_appraisal import seed_team_appraisal
from zuzhi.team_appraisal.models import AppraisalStatus, TeamAppraisal
from zuzhi.team_appraisal.selectors import appraisal_flags


def test_seed_team_appraisal(world):
    demo = DemoCounty(county=world.county.county, townships=[world.county.town_a])
    assert seed_team_appraisal(demo=demo, rng=random.Random(1)) == 1
    appraisal = TeamAppraisal.objects.get()
    assert appraisal.status == AppraisalStatus.CLOSED and appraisal.ballots.count() == 30
    flags = appraisal_flags(since=datetime.date(2026, 1, 1))
    assert {c for c, f in flags.items() if f.below_approval} == {world.member.pk}
    assert not any(f.above_unfit for f in flags.values())
    assert seed_team_appraisal(demo=demo, rng=random.Random(1)) == 0
