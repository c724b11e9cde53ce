"""A township user in a real browser: tree, scope, import errors, phone layout."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from zuzhi.core.roles import Role
from zuzhi.orgs.importers import COLUMNS
from zuzhi.orgs.models import Organization
from zuzhi.testing.factories import OrganizationFactory, user_with_role
from zuzhi.testing.xlsx import make_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def township1(county):
    return user_with_role(Role.TOWNSHIP_STAFF, county.town_a, username="township1")


def test_browse_tree_and_other_township_is_404(page, live_server, login, county, township1):
    login(page, "township1")
    page.click("nav.mainnav summary:has-text('组织')")
    page.click(f"nav.mainnav a[href='{reverse('orgs:tree')}']")
    # The home page names 城关镇党委 too: the count below is of the tree's page.
    page.wait_for_url(f"{live_server.url}{reverse('orgs:tree')}")
    page.wait_for_selector("text=城关镇党委")
    assert page.locator("text=城郊乡党委").count() == 0
    page.locator("li", has_text="城关镇党委").locator("button.toggle").first.click()
    page.wait_for_selector("text=李庄村党支部")
    page.fill("input[name=q]", "wzc")
    page.wait_for_selector("#tree-search >> text=王庄村党支部")
    page.click("text=李庄村党支部")
    page.wait_for_selector("h1:has-text('李庄村党支部')")

    other = f"{live_server.url}{reverse('orgs:detail', args=[county.village_b1.pk])}"
    response = page.goto(other)
    assert response.status == 404
    assert "未找到" in page.content() and "张湾村" not in page.content()


def test_import_with_a_bad_row_shows_the_row_error(page, live_server, login, county, tmp_path):
    # The organization import is county staff's (#12 §4): the township's menu does not offer it.
    user_with_role(Role.COUNTY_STAFF, county.county, username="county1")
    headers = [c.header for c in COLUMNS]

    def row(code, name, kind):
        values = {"组织代码": code, "组织名称": name, "组织类型": kind, "上级组织代码": "TA"}
        return [values.get(h) for h in headers]

    path = tmp_path / "组织.xlsx"
    path.write_bytes(
        make_xlsx(
            [headers, row("N1", "新一村党支部", "党支部"), row("N2", "新二村党支部", "党小组")]
        )
    )
    login(page, "county1")
    page.click(f"nav.mainnav a[href='{reverse('imports:upload', args=['orgs'])}']")  # not grouped
    page.set_input_files("input[type=file]", str(path))
    page.click("text=上传并检查")
    page.wait_for_url(re.compile(r"/imports/job/[0-9a-f-]+/$"))  # the whole table, loaded
    errors = page.locator("table.import-errors")
    errors.wait_for()
    # Row 1 is the header: the second data row is sheet row 3, the one with the unknown type.
    assert "第 3 行" in errors.inner_text() and "组织类型" in errors.inner_text()
    assert page.locator("text=确认导入").count() == 0
    assert not Organization.objects.filter(code__in=["N1", "N2"]).exists()


def test_phone_width_menu_and_no_page_overflow(phone_page, live_server, login, county, township1):
    # A long name is what would push a table past 375 px if cells did not wrap or scroll.
    OrganizationFactory(
        parent=county.town_a, code="VA3", name="城关镇东关社区第一网格非公有制经济组织联合党支部"
    )
    login(phone_page, "township1")
    phone_page.goto(f"{live_server.url}{reverse('orgs:list')}")
    phone_page.wait_for_function("window.Alpine !== undefined")
    nav_link = phone_page.locator(f"nav.mainnav a[href='{reverse('orgs:list')}']")
    expect(nav_link).to_be_hidden()
    phone_page.click("button.menu-toggle")
    expect(nav_link).to_be_hidden()  # inside the closed 组织 group
    phone_page.click("nav.mainnav summary:has-text('组织')")
    expect(nav_link).to_be_visible()
    # Compared with the 375 px of the context, not window.innerWidth: a mobile browser zooms out
    # to fit a too-wide page, and innerWidth then grows with it and hides the overflow.
    page_width = phone_page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )
    assert page_width <= phone_page.viewport_size["width"] == 375
    phone_page.click("button.menu-toggle")
    expect(nav_link).to_be_hidden()
