"""A first secretary files the monthly report (一月一述职) on a 375 px phone: from the menu
to 我的驻村, the month already chosen, three boxes, one button; nothing wider than the screen."""

import datetime

import pytest
from django.urls import reverse

from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import UserFactory, make_cadre, user_with_role, valid_id_number
from zuzhi.village_work import rules
from zuzhi.village_work.models import MonthlyReport
from zuzhi.village_work.services import assignment_create

from .test_csp import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_first_secretary_files_the_monthly_report_on_a_phone(
    phone_page, live_server, login, county
):
    page = phone_page
    page.add_init_script(WATCH)
    me = UserFactory(username="secretary1")
    cadre = make_cadre(county.unit, name="赵驻村", id_number=valid_id_number(sequence=801), user=me)
    today = datetime.date.today()
    assignment = assignment_create(
        actor=SYSTEM,
        cadre=cadre,
        village=county.village_a1,
        role="first_secretary",
        sending_unit="县教育局",
        start=today - datetime.timedelta(days=300),
        end=today + datetime.timedelta(days=400),
    )
    login(page, "secretary1")
    page.click("button.menu-toggle")
    page.click("nav.mainnav a:has-text('我的驻村')")
    # Each click here opens a page: the reads below wait for it to load, not for its heading.
    mine = f"{live_server.url}{reverse('village_work:mine')}"
    page.wait_for_url(mine)
    page.wait_for_selector("h1:has-text('我的驻村')")
    assert "李庄村党支部" in page.content()
    _no_sideways_scroll(page)
    page.click("a.btn:has-text('填写月度述职')")
    page.wait_for_url(
        f"{live_server.url}{reverse('village_work:report_create', args=[assignment.pk])}"
    )
    page.wait_for_selector("h1:has-text('月度述职')")
    # Last month's report is missing: it is the month already chosen.
    last = rules.previous_month(today)
    assert page.input_value("#id_month") == last.isoformat()
    box = page.locator("#id_work_done").bounding_box()
    assert box["width"] >= 300 and box["height"] >= 100
    page.fill("#id_work_done", "走访农户 30 户，协调修通村组道路 2 公里。")
    page.fill("#id_next_plan", "申报高标准农田项目。")
    _no_sideways_scroll(page)
    page.click("button:has-text('提交述职')")
    page.wait_for_url(mine)
    page.wait_for_selector("h1:has-text('我的驻村')")
    assert f"{last:%Y年%m月}述职已提交" in page.content()
    _no_sideways_scroll(page)
    report = MonthlyReport.objects.get()
    assert report.month == last and report.submitted_by == me
    assert page.evaluate("window.__csp") == []


def test_the_cadre_section_reads_the_roster_on_a_phone(phone_page, live_server, login, county):
    page = phone_page
    page.add_init_script(WATCH)
    user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer")
    today = datetime.date.today()
    for i, village in enumerate([county.village_a1, county.village_b1]):
        cadre = make_cadre(
            county.unit, name=f"驻村{i}", id_number=valid_id_number(sequence=810 + i)
        )
        assignment_create(
            actor=SYSTEM,
            cadre=cadre,
            village=village,
            role="first_secretary",
            sending_unit="中共示范县委组织部机关党支部（县直机关工委派驻）",
            start=today - datetime.timedelta(days=300),
            end=today + datetime.timedelta(days=30),
        )
    login(page, "cadre_officer")
    page.goto(f"{live_server.url}{reverse('village_work:roster')}")
    page.wait_for_selector("h1:has-text('驻村名册')")
    assert "城郊乡党委" in page.content()
    _no_sideways_scroll(page)
    page.goto(f"{live_server.url}{reverse('village_work:ending')}")
    assert "驻村1" in page.content()
    _no_sideways_scroll(page)
    assert page.evaluate("window.__csp") == []
