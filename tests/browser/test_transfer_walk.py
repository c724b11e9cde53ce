"""Issue #12's walk of a township clerk's day: record a member with the organization picker,
transfer them to another township found by name, confirm the full name, print the
introduction letter; the receiving clerk finds the transfer on their home to-do list and
accepts it."""

import pytest
from django.urls import reverse

from zuzhi.core.roles import Role
from zuzhi.members.models import Member, MemberTransfer, TransferStatus
from zuzhi.testing.factories import user_with_role, valid_id_number

from .htmx import settled
from .test_csp import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _choose(page, field: str, typed: str, name: str):
    page.fill(f"#id_{field}_q", typed)
    page.locator(f"#id_{field}_results button", has_text=name).click()
    page.wait_for_selector(f"#id_{field}_chosen:has-text('{name}')")
    settled(page)


@pytest.mark.parametrize("screen", ["page", "phone_page"])
def test_a_member_recorded_transferred_by_name_and_received(
    screen, request, live_server, login, county, browser
):
    page = request.getfixturevalue(screen)  # a desktop, then a 375 px phone
    user_with_role(Role.TOWNSHIP_STAFF, county.town_a, username="township1")
    user_with_role(Role.TOWNSHIP_STAFF, county.town_b, username="township2")
    page.add_init_script(WATCH)
    login(page, "township1")
    page.goto(f"{live_server.url}{reverse('members:list')}")
    page.click("main >> text=录入党员")
    # Typed into before htmx has started on the new page, the picker would not search.
    page.wait_for_url(f"{live_server.url}{reverse('members:create')}")
    _choose(page, "organization", "lzc", "李庄村党支部")
    page.fill("#id_name", "单雄信")
    page.fill("#id_id_number", valid_id_number("19850301", 7))
    page.select_option("#id_ethnicity", "01")
    page.fill("#id_join_date", "2010-07-01")
    page.select_option("#id_status", "full")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已录入党员 单雄信")
    member = Member.objects.get()

    # Found by the surname as it is read (shan), and transferred to a branch of 城郊乡.
    page.goto(f"{live_server.url}{reverse('members:list')}?q=sxx")
    page.click("main >> text=单雄信")
    page.wait_for_url(f"{live_server.url}{reverse('members:detail', args=[member.pk])}")
    page.goto(f"{live_server.url}{reverse('members:transfer', args=[member.pk])}")
    _choose(page, "to_org_code", "张湾", "张湾村党支部")
    page.fill("#id_transfer_date", "2026-11-02")
    page.fill("#id_reason", "外出务工")
    # The confirmation comes back at the same address: read it once it has loaded.
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.wait_for_selector("text=请核对转入党组织的全称")
    assert "城郊乡党委" in page.locator("main").inner_text()
    assert not MemberTransfer.objects.exists()  # nothing sent before the confirmation
    with page.expect_navigation():  # the policy check below reads the new page
        page.click("text=确认转出")
    page.wait_for_selector("text=已发出转接")
    with page.expect_download() as download:
        page.click("text=打印介绍信")
    assert download.value.suggested_filename.endswith(".pdf")
    assert page.evaluate("window.__csp") == []

    # The receiving clerk sees it on the home to-do list and accepts it.
    context = browser.new_context()
    other = context.new_page()
    login(other, "township2")
    other.click("main >> text=待接收的组织关系转接")
    other.wait_for_selector("text=单雄信")
    other.click("main >> button:has-text('接收')")
    other.wait_for_selector("text=已接收")
    context.close()
    member.refresh_from_db()
    assert member.organization == county.village_b1
    assert MemberTransfer.objects.get().status == TransferStatus.ACCEPTED
