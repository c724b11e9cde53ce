"""The talent office sets up a talent award on a 375 px phone: the 人才评选 menu link, the
create form and adding a talent, with nothing scrolling sideways and no CSP violation."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from zuzhi.contests.models import Contest

from .test_csp import WATCH
from .test_phone_layout import _overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_sets_up_an_award_on_a_phone(talent_world, phone_page, live_server, login):
    page = phone_page
    page.add_init_script(WATCH)
    login(page, talent_world.office.username)
    page.click("button.menu-toggle")
    page.get_by_text("人才", exact=True).click()
    page.get_by_role("link", name="人才评选").click()
    page.wait_for_url(f"{live_server.url}{reverse('contests:list')}")
    page.get_by_role("link", name="新建考评").click()
    page.wait_for_url(f"{live_server.url}{reverse('contests:create')}")
    expect(page.locator("#id_track option")).to_have_text(["人才"])
    assert _overflow(page) == []
    page.fill("#id_name", "2026年度拔尖人才评选")
    page.fill("#id_period", "2026年")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/contests/\d+/edit/$"))
    contest = Contest.objects.get(name="2026年度拔尖人才评选")
    page.wait_for_url(f"{live_server.url}{reverse('contests:edit', args=[contest.pk])}")
    page.goto(f"{live_server.url}{reverse('contests:detail', args=[contest.pk])}")
    page.locator("summary", has_text="添加参评对象").click()
    page.fill("#id_talent", "周青")
    # The post comes back to this same page: wait for the new one (a load state alone may
    # still be the old page's).
    with page.expect_navigation():
        page.click("form[action$='/entrants/'] button[type=submit]")
    assert page.locator("table.list td", has_text="周青").count() == 1
    assert _overflow(page) == []
    assert page.evaluate("window.__csp") == []
