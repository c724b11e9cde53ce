"""A cadre on a phone (375 px): their own record and a self-nomination, nothing wider than
the screen."""

import datetime
import re

import pytest
from django.urls import reverse

from zuzhi.cadres import nomination_services as services
from zuzhi.cadres.models import LeadershipTeam, PostHolding, TeamKind, TeamPost
from zuzhi.testing.factories import UserFactory, make_cadre, valid_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_cadre_submits_a_nomination_on_a_phone(phone_page, live_server, login, county):
    page = phone_page
    me = UserFactory(username="cadre1")
    cadre = make_cadre(
        county.town_a, name="王副镇长", id_number=valid_id_number(sequence=701), user=me
    )
    team = LeadershipTeam.objects.create(
        organization=county.town_a, kind=TeamKind.TOWNSHIP_GOVERNMENT, name="城关镇政府班子"
    )
    post = TeamPost.objects.create(team=team, title="副镇长", leadership_level="township_deputy")
    PostHolding.objects.create(
        cadre=cadre,
        organization=county.town_a,
        team_post=post,
        title="城关镇人民政府副镇长",
        leadership_level="township_deputy",
        start=datetime.date(2023, 3, 1),
    )
    login(page, "cadre1")
    page.click("button.menu-toggle")
    page.click("nav.mainnav a:has-text('我的干部信息')")
    # Each click here opens a page: wait for it, since the form's own heading 提交自荐 already
    # matches the wait for the nomination's page below.
    page.wait_for_url(f"{live_server.url}{reverse('cadres:mine')}")
    page.wait_for_selector("h1:has-text('我的干部信息')")
    assert "城关镇人民政府副镇长" in page.content()
    _no_sideways_scroll(page)
    page.click("a.btn:has-text('提交自荐')")
    page.wait_for_url(f"{live_server.url}{reverse('cadres:nomination_create')}")
    page.select_option("#id_target_kind", "rank")
    page.fill("#id_target", "二级主任科员")
    page.fill("#id_statement", "任四级主任科员满两年，年度考核均为称职以上。")
    _no_sideways_scroll(page)
    page.click("button:has-text('提交自荐')")
    page.wait_for_url(re.compile(r"/cadres/nominations/\d+/$"))
    page.wait_for_selector("h1:has-text('自荐')")
    assert "待单位提出意见" in page.content()
    _no_sideways_scroll(page)
    nomination = cadre.self_nominations.get()
    services.self_nomination_withdraw(actor=me, nomination=nomination)
    page.reload()
    assert "已撤回" in page.content()
