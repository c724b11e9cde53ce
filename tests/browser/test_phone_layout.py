"""The main lists on a 375 px phone: nothing scrolls sideways (neither the page nor a table
inside it), and what is tapped (the menu button, checkboxes, buttons) is at least 44 px."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from zuzhi.contests import services as contests
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.members.services.transfers import member_transfer
from zuzhi.orglife.services import meeting_record
from zuzhi.orgs.models import OrgType
from zuzhi.testing.factories import (
    OrganizationFactory,
    make_member,
    user_with_role,
    valid_id_number,
)

from .test_csp import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 375
LISTS = ["members:list", "orgs:list", "orglife:list", "contests:list", "members:transfers"]


@pytest.fixture
def full_county(county):
    """Long names, as real ones are, in every list."""
    staff = user_with_role(Role.COUNTY_STAFF, county.county, username="county_clerk")
    long_branch = OrganizationFactory(
        parent=county.town_a,
        code="VA9",
        name="中共示范县城关镇李庄村第一党支部委员会（含流动党员党小组）",
        org_type=OrgType.BRANCH,
        secretary_name="欧阳建国",
        secretary_phone="13912345678",
        term_end=datetime.date(2027, 6, 30),
    )
    members = [
        make_member(
            branch,
            name=name,
            id_number=valid_id_number("19800101", 400 + i),
            phone=f"1381234{i:04d}",
        )
        for i, (branch, name) in enumerate(
            [(long_branch, "欧阳建国"), (long_branch, "司马相如"), (county.village_b1, "王芳")]
        )
    ]
    for i in range(3):
        meeting_record(
            actor=SYSTEM,
            organization=long_branch,
            kind="member_assembly",
            date=datetime.date.today() - datetime.timedelta(days=i + 1),
            topic="学习贯彻党的二十届三中全会精神暨推进乡村全面振兴专题组织生活会",
            attendee_ids=[m.pk for m in members[:2]],
        )
    member_transfer(
        actor=user_with_role(Role.TOWNSHIP_STAFF, county.town_a, username="town_a_clerk"),
        member=members[1],
        to_org=county.village_b1,
        transfer_date=datetime.date.today(),
        reason="外出务工，随工作单位所在地转移组织关系",
    )
    contests.contest_create(
        actor=staff,
        organization=county.county,
        data={
            "name": "2026年度全县农村基层党组织书记抓党建促乡村振兴擂台比武",
            "track": "village",
            "period_label": "2026年度上半年",
        },
        stages=[{"kind": "public_report", "name": "汇报", "weight": Decimal(100)}],
    )
    return staff


def _overflow(page) -> list[str]:
    """What is wider than the screen: the page, or a table inside its scrolling wrapper."""
    found = []
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    if width > PHONE_WIDTH:
        found.append(f"page {width}px")
    for box in page.locator(".table-wrap").all():
        inner, outer = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
        if inner > outer:
            found.append(f"table {inner}px in {outer}px")
    return found


@pytest.mark.parametrize("name", LISTS)
def test_lists_fit_a_phone(full_county, phone_page, live_server, login, name):
    login(phone_page, "county_clerk")
    phone_page.goto(f"{live_server.url}{reverse(name)}")
    assert phone_page.locator("main").count() == 1
    assert _overflow(phone_page) == [], name


def test_tap_targets_are_44px(full_county, county, phone_page, live_server, login):
    login(phone_page, "county_clerk")
    phone_page.goto(f"{live_server.url}{reverse('orglife:compliance')}")
    menu = phone_page.locator("button.menu-toggle").bounding_box()
    assert menu["width"] >= 44 and menu["height"] >= 44
    boxes = phone_page.locator("main input[type=checkbox]")
    assert boxes.count() > 0
    for box in boxes.all():
        size = box.bounding_box()
        assert size["width"] >= 44 and size["height"] >= 44, size
    for button in phone_page.locator("main .btn").all():
        assert button.bounding_box()["height"] >= 44
    assert _overflow(phone_page) == []


def test_contest_results_on_a_phone(full_county, county, phone_page, live_server, login):
    """Wide score tables become cards; the chart says how many it shows and shows all."""
    from zuzhi.contests.views import results

    staff = full_county
    contest = contests.contest_create(
        actor=staff,
        organization=county.county,
        data={"name": "三环节评比", "track": "village", "period_label": "2026年"},
        stages=[
            {"kind": "public_report", "name": f"第{n}环节现场汇报与综合评议", "weight": w}
            for n, w in ((1, Decimal(40)), (2, Decimal(30)), (3, Decimal(30)))
        ],
    )
    contests.entrants_add_eligible(actor=staff, contest=contest)
    contests.contest_start(actor=staff, contest=contest)
    for stage in contest.stages.all():
        for i, entrant in enumerate(contest.entrants.all()):
            contests.direct_score_set(actor=staff, entrant=entrant, stage=stage, score=70 + i)
    contests.result_compute(actor=staff, contest=contest)
    total = contest.entrants.count()
    results.CHART_TOP, top = 2, results.CHART_TOP
    try:
        phone_page.add_init_script(WATCH)
        login(phone_page, "county_clerk")
        phone_page.goto(f"{live_server.url}{reverse('contests:results', args=[contest.pk])}")
        caption = phone_page.locator("#chart-caption")
        assert caption.inner_text() == f"柱状图显示前 2 名，共 {total} 个参评对象。"
        phone_page.click("#chart-all")
        assert caption.inner_text() == f"柱状图显示全部 {total} 个参评对象。"
        assert phone_page.locator("#bar canvas").count() == 1
        assert phone_page.locator("#radar canvas").count() == 1  # three stages
        assert _overflow(phone_page) == []
        assert phone_page.evaluate("window.__csp") == []
    finally:
        results.CHART_TOP = top


def test_record_links_on_home_are_44px(county, phone_page, live_server, login):
    """The branch secretary's reminders on the home page: each 记录 link is a tap target."""
    user_with_role(Role.BRANCH_SECRETARY, county.village_a1, username="branch1")
    make_member(county.village_a1, name="党员甲", id_number=valid_id_number("19800101", 1))
    login(phone_page, "branch1")
    links = phone_page.locator("main").get_by_role("link", name="记录", exact=True)
    assert links.count() > 0
    for link in links.all():
        assert link.bounding_box()["height"] >= 44
