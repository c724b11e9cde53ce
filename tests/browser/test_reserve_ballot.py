"""A rater casts the half-year appraisal ballot of village reserves (后备力量民主测评) on a
375 px phone, without an account: the code, then 德能勤绩廉 for each reserve; a half-filled
ballot comes back naming what is missing, with the grades already chosen kept."""

import pytest

from zuzhi.core.roles import Role
from zuzhi.reserve_appraisals.models import ReserveBallot
from zuzhi.reserve_appraisals.services import appraisal_open
from zuzhi.reserve_appraisals.tests.factories import pooled_reserves
from zuzhi.testing.factories import user_with_role

from .test_csp import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_rater_grades_the_reserves_on_a_phone(phone_page, live_server, county):
    page = phone_page
    page.add_init_script(WATCH)
    pooled_reserves(
        county=county,
        people=[(county.village_a1, "欧阳晓东", 801), (county.village_a2, "司马春燕", 802)],
    )
    clerk = user_with_role(Role.TOWNSHIP_STAFF, county.town_a, username="clerk_a")
    appraisal, codes = appraisal_open(
        actor=clerk, township=county.town_a, year=2026, half=1, codes=1
    )
    page.goto(f"{live_server.url}/reserves/appraisals/vote/{appraisal.ballot_token}/")
    page.fill("#id_code", codes[0].lower())
    # Each step posts the form and gets a new page back, often at the same address: the counts
    # and the width below need all of it loaded, not the lines down to the text waited for.
    with page.expect_navigation():
        page.click("button:has-text('下一步')")
    page.wait_for_selector("text=欧阳晓东")
    _no_sideways_scroll(page)
    radios = page.locator("input[type=radio][value=competent]")
    assert radios.count() == 10
    for i in range(radios.count() - 1):  # the last one (司马春燕's 廉) left out
        radios.nth(i).check()
    with page.expect_navigation():
        page.click("button:has-text('提交选票')")
    page.wait_for_selector("text=请补评：司马春燕的廉")
    assert page.locator("input[type=radio][value=competent]:checked").count() == 9
    _no_sideways_scroll(page)
    page.locator("input[type=radio][value=competent]").nth(9).check()
    with page.expect_navigation():
        page.click("button:has-text('提交选票')")
    page.wait_for_selector("text=投票成功")
    assert ReserveBallot.objects.count() == 1
    assert page.evaluate("window.__csp") == []
