"""A township clerk records this month's mentoring day of a pair on a phone (双强双带 帮带日):
one tap on the board, today already filled in, a type and one line, saved; one-handed on a
375 px screen (no sideways scrolling, buttons the width of the screen)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from zuzhi.core.scope import SYSTEM
from zuzhi.reserve_training.models import MentoringDay
from zuzhi.reserve_training.services import mentorship_create
from zuzhi.reserves.models import ReserveCandidate
from zuzhi.testing.factories import make_member, valid_id_number

from .test_csp import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pair(county, town_a_user):
    reserve = ReserveCandidate.objects.create(
        village=county.village_a1,
        name="陈晓",
        id_number=valid_id_number(birth="19920315", sequence=301),
        gender="1",
        birth_date=datetime.date(1992, 3, 15),
        source="graduate",
        discovery="organization",
        status="in_pool",
    )
    mentor = make_member(county.village_a1, name="王书记")
    return mentorship_create(
        actor=SYSTEM, reserve=reserve, mentor=f"m{mentor.pk}", started_on=datetime.date(2026, 1, 5)
    )


def test_a_clerk_records_a_mentoring_day_on_a_phone(pair, phone_page, live_server, login):
    phone_page.add_init_script(WATCH)
    login(phone_page, "town_a")
    phone_page.click("button.menu-toggle")
    phone_page.click("nav >> text=村级后备力量")
    phone_page.click(".subnav >> text=培养与帮带")
    # Each click here opens a page: wait for it to load before measuring or reading it.
    board = f"{live_server.url}{reverse('reserve_training:board')}"
    phone_page.wait_for_url(board)
    phone_page.wait_for_selector("text=本月尚未帮带")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    phone_page.click("text=记录本月帮带")
    form = reverse("reserve_training:day_create", args=[pair.pk])
    phone_page.wait_for_url(f"{live_server.url}{form}")
    phone_page.wait_for_selector("text=导师 王书记")
    assert phone_page.input_value("#id_date") == f"{timezone.localdate():%Y-%m-%d}"
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    save = phone_page.locator("button", has_text="保存").bounding_box()
    assert save["height"] >= 48 and save["width"] >= 300
    phone_page.select_option("#id_activity", label="矛盾调处")
    phone_page.fill("#id_content", "调解两户宅基地纠纷")
    phone_page.click("button:has-text('保存')")
    phone_page.wait_for_url(board)
    phone_page.wait_for_selector("text=本月已帮带 1 次")
    day = MentoringDay.objects.get()
    assert (day.activity, day.content) == ("dispute", "调解两户宅基地纠纷")
    assert day.date == timezone.localdate()
    assert phone_page.evaluate("window.__csp") == []
