"""A township user in a real browser: tree, scope, import errors, phone layout."""

import pytest

from zuzhi.core.roles import Role
from zuzhi.orgs.importers import COLUMNS
from zuzhi.testing.factories import user_with_role
from zuzhi.testing.xlsx import make_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def township1(county):
    return user_with_role(Role.TOWNSHIP_STAFF, county.town_a, username="township1")


def test_browse_tree_and_other_township_is_404(page, live_server, login, county, township1):
    login(page, "township1")
    page.click("text=组织架构")
    page.wait_for_selector("text=城关镇党委")
    assert page.locator("text=城郊乡党委").count() == 0
    page.locator("li", has_text="城关镇党委").locator("button.toggle").first.click()
    page.wait_for_selector("text=李庄村党支部")
    page.fill("input[name=q]", "wzc")
    page.wait_for_selector("#tree-search >> text=王庄村党支部")
    page.click("text=李庄村党支部")
    page.wait_for_selector("h1:has-text('李庄村党支部')")
    response = page.goto(f"{live_server.url}/orgs/{county.village_b1.pk}/")
    assert response.status == 404
    assert "未找到" in page.content() and "张湾村" not in page.content()


def test_import_with_a_bad_row_shows_the_row_error(
    page, live_server, login, county, township1, tmp_path
):
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
    login(page, "township1")
    page.click("text=导入")
    page.set_input_files("input[type=file]", str(path))
    page.click("text=上传并检查")
    errors = page.locator("table.import-errors")
    errors.wait_for()
    assert "第 3 行" in errors.inner_text() and "组织类型" in errors.inner_text()
    assert page.locator("text=确认导入").count() == 0


def test_phone_width_menu_and_no_page_overflow(phone_page, live_server, login, county, township1):
    login(phone_page, "township1")
    phone_page.goto(f"{live_server.url}/orgs/")
    nav_link = phone_page.locator("nav.mainnav >> text=党组织")
    assert not nav_link.is_visible()
    phone_page.click("button.menu-toggle")
    assert nav_link.is_visible()
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
