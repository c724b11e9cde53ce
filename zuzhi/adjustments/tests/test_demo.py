"""The demo's township index and vacancy open cases through the services, and a second run
writes nothing."""

import random
from types import SimpleNamespace

from zuzhi.adjustments.models import AdjustmentCase, CaseStatus, Trigger
from zuzhi.cadres.models import AnnualAssessment
from zuzhi.core.models import AuditLog
from zuzhi.core.roles import Role
from zuzhi.demo.adjustments import seed_adjustments
from zuzhi.demo.seeding import TODAY
from zuzhi.testing.factories import user_with_role


def test_the_demo_index_and_a_vacancy_open_cases_and_two_are_decided(world, county):
    user_with_role(Role.COUNTY_STAFF, county.county, username="county_admin")
    AnnualAssessment.objects.create(cadre=world.deputy_a, year=TODAY.year - 1, result="basically")
    demo = SimpleNamespace(county=county.county, townships=[county.town_a, county.town_b])
    assert seed_adjustments(demo=demo, rng=random.Random(5)) > 0
    bottom = AdjustmentCase.objects.filter(trigger=Trigger.BOTTOM)
    # Two townships entered: both are among the last two places, each chief gets a case.
    ranked = bottom.filter(title__contains="2026年第三季度 乡镇综合指数")
    assert set(ranked.values_list("cadre", flat=True)) == {world.chief_a.pk, world.chief_b.pk}
    vacancy = AdjustmentCase.objects.get(trigger=Trigger.VACANT_POST)
    assert vacancy.team_post.title == "副书记"
    decided = AdjustmentCase.objects.get(status=CaseStatus.DECIDED)
    assert (decided.cadre, decided.decision) == (world.deputy_a, "keep")  # the grade's case

    logged = AuditLog.objects.count()
    assert seed_adjustments(demo=demo, rng=random.Random(5)) == 0
    assert AuditLog.objects.count() == logged
