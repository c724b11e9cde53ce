import datetime
import random

from zuzhi.demo.promotions import seed_promotions
from zuzhi.demo.seeding import TODAY, DemoCounty
from zuzhi.promotions.models import AssessmentRound, AssessmentStatus, PromotionRound


def test_seed_promotions(world, cadre, grade):
    for i in range(4):
        grade(
            cadre(f"干部{i}", since=datetime.date(2022, 1, 1)),
            **{f"y{TODAY.year - 1}": "competent"},
        )
    demo = DemoCounty(county=world.county.county)
    assert seed_promotions(demo=demo, rng=random.Random(1)) == 3
    last_year = AssessmentRound.objects.get(year=TODAY.year - 1)
    assert last_year.status == AssessmentStatus.CLOSED
    round_ = PromotionRound.objects.get()
    assert round_.offers.get().places >= 1
    assert seed_promotions(demo=demo, rng=random.Random(1)) == 0
