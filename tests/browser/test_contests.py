"""A judge scores the entrant on stage from a phone while the secretary's board updates; a
member of the public votes on a phone after an SMS code."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from zuzhi.contests import services
from zuzhi.contests.models import ScoreSheet, Vote
from zuzhi.contests.voting.sms import ConsoleSmsBackend
from zuzhi.core.roles import Role
from zuzhi.testing.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def arena(county):
    staff = user_with_role(Role.COUNTY_STAFF, county.county, username="secretary")
    judges = [user_with_role(Role.JUDGE, county.county, username=f"judge{i}") for i in range(5)]
    contest = services.contest_create(
        actor=staff,
        organization=county.county,
        data={"name": "擂台赛", "track": "village", "period_label": "2026"},
        stages=[
            {
                "kind": "judges",
                "name": "擂台比武",
                "weight": Decimal(70),
                "criteria": [
                    {"name": "发展思路", "max_score": Decimal(60)},
                    {"name": "现场表现", "max_score": Decimal(40)},
                ],
            },
            {"kind": "public_vote", "name": "群众投票", "weight": Decimal(30)},
        ],
    )
    services.entrants_add_eligible(actor=staff, contest=contest)
    stage = contest.stages.get(kind="judges")
    for judge in judges:
        services.judge_seat(actor=staff, stage=stage, judge=judge)
    services.contest_start(actor=staff, contest=contest)
    return contest, stage, staff


def test_judge_scores_from_a_phone_and_the_board_shows_it(
    arena, phone_page, page, live_server, login
):
    contest, stage, staff = arena
    entrant = contest.entrants.order_by("number").first()
    login(page, "secretary")
    page.goto(f"{live_server.url}{reverse('contests:board', args=[contest.pk, stage.pk])}")
    page.select_option("#id_open", str(entrant.pk))
    page.click("button:has-text('上场')")
    page.wait_for_selector(f"text=正在评分：{entrant.number}. {entrant.name}")

    login(phone_page, "judge2")
    phone_page.goto(f"{live_server.url}{reverse('contests:score', args=[stage.pk])}")
    phone_page.wait_for_selector(f"text={entrant.name}")
    fields = phone_page.locator("input[inputmode=decimal]")
    assert fields.count() == 2
    box = fields.first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375  # fits the phone's width
    fields.nth(0).fill("55")
    fields.nth(1).fill("36.5")
    phone_page.click("text=核对评分")
    phone_page.wait_for_selector("text=合计 91.5 分")
    phone_page.click("text=确认提交")
    phone_page.wait_for_selector("text=您已提交：合计 91.5 分")
    assert ScoreSheet.objects.get().total == Decimal("91.5")
    # The secretary's board, polling every few seconds, shows that seat 3 has scored, not how.
    # A locator, not wait_for_function: that one evals a string in the page, which the
    # Content-Security-Policy refuses.
    expect(page.locator("table.list tbody tr td:nth-child(6)").first).to_have_text(
        "✓", timeout=15_000
    )
    assert "91.5" not in page.content()


def test_public_vote_on_a_phone(arena, phone_page, live_server):
    contest, _, _ = arena
    ConsoleSmsBackend.sent.clear()
    # The voter starts from the public list of contests open for voting, no login.
    phone_page.goto(f"{live_server.url}{reverse('contests:public_list')}")
    phone_page.click(f"text={contest.name}")
    phone_page.wait_for_url(f"{live_server.url}{reverse('contests:public', args=[contest.pk])}")
    phone_page.fill("#id_phone", "13900139000")
    phone_page.click("text=获取验证码")
    phone_page.wait_for_selector("text=验证码已发送")
    code = re.search(r"验证码 (\d{6})", ConsoleSmsBackend.sent[-1][1]).group(1)
    phone_page.fill("#id_phone", "13900139000")
    phone_page.fill("#id_code", code)
    phone_page.click("button[name=verify]")
    phone_page.wait_for_selector("text=验证成功")
    phone_page.wait_for_selector("text=今天还可投 1 票")
    # The vote is a form post: the checks below read the whole new page, not its first lines.
    with phone_page.expect_navigation():
        phone_page.locator("text=投一票").first.click()
    phone_page.wait_for_selector("text=投票成功")
    # The vote is counted on the page at once, marked as theirs, and the day's vote is used.
    first = phone_page.locator("article.card").first
    expect(first.locator("strong.votes")).to_have_text("1")
    expect(first.locator(".voted")).to_have_text("今天已投 1 票")
    phone_page.wait_for_selector("text=今天的票已投完")
    assert phone_page.locator("text=投一票").count() == 0
    assert Vote.objects.count() == 1
    assert "13900139000" not in phone_page.content()
