"""The member list in a browser (#12 §4): a branch secretary rings a member from a phone with
one tap, and a county clerk filters, ticks two members and downloads them."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from zuzhi.core.codes import code_tables_load
from zuzhi.core.models import AuditAction, AuditLog, CodeItem
from zuzhi.core.roles import Role
from zuzhi.testing.factories import make_member, user_with_role, valid_id_number

from .htmx import settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def members(county):
    # A transactional test before this one may have flushed the code tables the rules read.
    code_tables_load(CodeItem)
    return [
        make_member(
            county.village_a1,
            name=name,
            id_number=valid_id_number("19800101", i),
            phone=f"1381234567{i}",
        )
        for i, name in enumerate(["王小明", "李红", "张伟"])
    ]


def test_a_branch_secretary_reveals_a_phone_with_one_tap(
    phone_page, live_server, login, county, members
):
    user_with_role(Role.BRANCH_SECRETARY, county.village_a1, username="branch1")
    login(phone_page, "branch1")
    phone_page.goto(f"{live_server.url}{reverse('members:list')}?sort=name")
    phone_page.wait_for_function("window.htmx !== undefined")
    masked = phone_page.locator("button.phone-reveal", has_text="138****5671")
    expect(masked).to_be_visible()
    box = masked.bounding_box()
    assert box["height"] >= 44
    tick = phone_page.locator("label.pick").nth(1).bounding_box()
    assert tick["width"] >= 44 and tick["height"] >= 44
    masked.click()
    link = phone_page.locator("a.tel")
    expect(link).to_have_attribute("href", "tel:13812345671")
    row = AuditLog.objects.get(action=AuditAction.VIEW_PERSONAL)
    assert row.actor_username == "branch1" and row.target_id == str(members[1].pk)
    width = phone_page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )
    assert width <= 375


def test_a_county_clerk_exports_the_ticked_members(page, live_server, login, county, members):
    user_with_role(Role.COUNTY_STAFF, county.county, username="county1")
    login(page, "county1")
    page.goto(f"{live_server.url}{reverse('members:list')}")
    # The organization filter is the picker: initials, then a tap on the match.
    page.fill("#id_org_q", "lzc")
    page.locator("#id_org_results button", has_text="李庄村党支部").click()
    page.wait_for_selector("#id_org_chosen:has-text('李庄村党支部')")
    settled(page)
    page.click("button:has-text('查询')")
    page.wait_for_url("**org=*")
    page.check("input[name=member][aria-label='选择 王小明']")
    page.check("input[name=member][aria-label='选择 张伟']")
    with page.expect_download() as download:
        page.click("button:has-text('导出 Excel')")
    assert download.value.suggested_filename.endswith(".xlsx")
    export = AuditLog.objects.get(action=AuditAction.EXPORT)
    assert export.message == "导出 2 行" and export.org_path == county.village_a1.path
