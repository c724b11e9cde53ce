"""A rater casts the democratic appraisal ballot (民主测评) on a 375 px phone, without an
account: the code, then 德能勤绩廉 and the overall grade for each cadre; a half-filled ballot
comes back naming what is missing, with the grades already chosen kept."""

import datetime
from decimal import Decimal

import pytest

from zuzhi.cadres.team_services import post_appoint, team_create
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.team_appraisal.models import AppraisalBallot
from zuzhi.team_appraisal.services import GroupInput, appraisal_open
from zuzhi.testing.factories import make_cadre, user_with_role, valid_id_number

from .test_csp import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_rater_casts_the_ballot_on_a_phone(phone_page, live_server, county):
    page = phone_page
    page.add_init_script(WATCH)
    team = team_create(actor=SYSTEM, organization=county.town_a, kind="township_committee")
    for i, (title, name) in enumerate([("书记", "欧阳明远"), ("副书记", "司马文静")]):
        cadre = make_cadre(county.town_a, name=name, id_number=valid_id_number(sequence=700 + i))
        post_appoint(
            actor=SYSTEM,
            post=team.posts.get(title=title),
            cadre=cadre,
            start=datetime.date(2025, 1, 6),
        )
    staff = user_with_role(Role.CADRE_STAFF, county.county, username="ganbuke")
    appraisal, codes = appraisal_open(
        actor=staff, team=team, year=2026, groups=[GroupInput("中层干部", Decimal(100), 1)]
    )
    page.goto(f"{live_server.url}/team-appraisals/vote/{appraisal.ballot_token}/")
    page.fill("#id_code", codes["中层干部"][0].lower())
    # Each step posts the form and gets a new page back, often at the same address: the counts
    # and the width below need all of it loaded, not the lines down to the text waited for.
    with page.expect_navigation():
        page.click("button:has-text('下一步')")
    page.wait_for_selector("text=测评主体：中层干部")
    _no_sideways_scroll(page)
    radios = page.locator("input[type=radio][value=competent]")
    assert radios.count() == 12
    for i in range(radios.count() - 1):  # the last one (司马文静's overall) left out
        radios.nth(i).check()
    with page.expect_navigation():
        page.click("button:has-text('提交选票')")
    page.wait_for_selector("text=请补评：司马文静的综合评价")
    assert page.locator("input[type=radio][value=competent]:checked").count() == 11
    _no_sideways_scroll(page)
    page.locator("input[type=radio][value=competent]").nth(11).check()
    with page.expect_navigation():
        page.click("button:has-text('提交选票')")
    page.wait_for_selector("text=投票成功")
    assert AppraisalBallot.objects.count() == 1
    assert page.evaluate("window.__csp") == []
