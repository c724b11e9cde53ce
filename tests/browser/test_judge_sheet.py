"""A judge types half a sheet on a phone, looks away for ten seconds while the page keeps
polling who is on stage, and finds every typed score still there."""

from decimal import Decimal

import pytest
from django.urls import reverse

from zuzhi.contests import services
from zuzhi.contests.models import ScoreSheet
from zuzhi.core.roles import Role
from zuzhi.testing.factories import user_with_role

from .test_csp import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def on_stage(county):
    staff = user_with_role(Role.COUNTY_STAFF, county.county, username="secretary")
    judge = user_with_role(Role.JUDGE, county.county, username="judge")
    contest = services.contest_create(
        actor=staff,
        organization=county.county,
        data={"name": "擂台赛", "track": "village", "period_label": "2026"},
        stages=[
            {
                "kind": "judges",
                "name": "擂台比武",
                "weight": Decimal(100),
                "aggregation": "mean",
                "criteria": [
                    {"name": "发展思路", "max_score": Decimal(60)},
                    {"name": "现场表现", "max_score": Decimal(40)},
                ],
            }
        ],
    )
    services.entrants_add_eligible(actor=staff, contest=contest)
    stage = contest.stages.get()
    services.judge_seat(actor=staff, stage=stage, judge=judge)
    services.contest_start(actor=staff, contest=contest)
    entrant = contest.entrants.order_by("number").first()
    services.appearance_open(actor=staff, stage=stage, entrant=entrant)
    return stage, entrant


def test_half_typed_scores_survive_the_status_polling(on_stage, phone_page, live_server, login):
    stage, entrant = on_stage
    phone_page.add_init_script(WATCH)
    login(phone_page, "judge")
    polls = []
    phone_page.on("request", lambda r: polls.append(r.url) if r.resource_type == "xhr" else None)
    phone_page.goto(f"{live_server.url}{reverse('contests:score', args=[stage.pk])}")
    fields = phone_page.locator("input[inputmode=decimal]")
    fields.nth(0).fill("55")
    phone_page.locator("h1").click()  # the box loses focus: nothing holds the polling back
    phone_page.wait_for_timeout(10_000)
    assert len(polls) >= 2  # the page polled meanwhile
    assert fields.nth(0).input_value() == "55"
    fields.nth(1).fill("36.5")
    phone_page.click("text=核对评分")
    phone_page.wait_for_selector("text=合计 91.5 分")
    assert not ScoreSheet.objects.exists()  # checked, not yet submitted
    # A change after the check takes the confirmation away: it stood for the old scores.
    fields.nth(1).fill("36")
    assert phone_page.locator("text=确认提交").count() == 0
    phone_page.click("text=核对评分")
    phone_page.wait_for_selector("text=合计 91 分")
    phone_page.click("text=确认提交")
    phone_page.wait_for_selector("text=您已提交：合计 91 分")
    assert ScoreSheet.objects.get().total == Decimal(91)
    assert phone_page.evaluate("window.__csp") == []
