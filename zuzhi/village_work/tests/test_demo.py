"""The demo's resident village work, through the services, run once."""

import random

import pytest

from zuzhi.demo.cadres import seed_cadres
from zuzhi.demo.seeding import TODAY, seed_organizations
from zuzhi.demo.village_work import seed_village_account, seed_village_work
from zuzhi.village_work import selectors
from zuzhi.village_work.models import Assignment, MonthlyReport, Review


@pytest.fixture
def fixed_now():
    """The demo runs on the real date (its months are before it)."""


def test_the_demo_has_a_team_with_a_year_of_reviewed_reports(db):
    from zuzhi.core.scope import SYSTEM

    demo = seed_organizations(rng=random.Random(7))
    seed_cadres(demo=demo, rng=random.Random(8))
    added = seed_village_work(demo=demo, rng=random.Random(9))
    assert added == MonthlyReport.objects.count() > 36
    team = Assignment.objects.filter(village=Assignment.objects.order_by("pk").first().village)
    assert sorted(team.values_list("role", flat=True)) == [
        "first_secretary",
        "team_member",
        "team_member",
    ]
    assert Review.objects.filter(report__assignment__in=team).count() == 36
    assert selectors.overdue(user=SYSTEM, today=TODAY).exists()
    assert selectors.terms_ending(user=SYSTEM, today=TODAY).count() == 1
    assert seed_village_work(demo=demo, rng=random.Random(9)) == 0
    [(username, _, where)] = seed_village_account(password="Demo-Pass-2026")
    assert username == "zhucun1" and "第一书记" in where
    assert selectors.my_assignments(user=Assignment.objects.first().cadre.user).count() == 1
