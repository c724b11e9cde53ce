"""A township clerk imports the roster the office already keeps, on a phone: the sheet is read as
shown, the fix is made in the marked file, and a rename is confirmed row by row."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from zuzhi.core.roles import Role
from zuzhi.members.models import Member
from zuzhi.testing.factories import make_member, user_with_role, valid_id_number
from zuzhi.testing.sheets import office_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD = valid_id_number("19800101", 121)
NEW = valid_id_number("19850315", 122)
HEADERS = ["序号", "姓 名", "身份证号码", "民族", "入党时间", "所在党支部", "联系电话", "备注"]


def roster(tmp_path, new_id) -> str:
    path = tmp_path / "城关镇花名册.xlsx"
    path.write_bytes(
        office_xlsx(
            {
                "花名册": [
                    ["城关镇党员花名册"],
                    HEADERS,
                    [1, "王　芳芳", OLD, "汉", "2001.07", "李庄村党支部", "138-1234-5678", ""],
                    [2, "李明", new_id, "汉", datetime.date(2010, 7, 1), "李庄村党支部", None, ""],
                    ["合计", "2 人"],
                ]
            }
        )
    )
    return str(path)


def test_a_roster_with_a_wrong_id_then_a_rename_on_a_phone(
    phone_page, live_server, login, county, tmp_path
):
    user_with_role(Role.TOWNSHIP_STAFF, county.town_a, username="township1")
    make_member(county.village_a1, id_number=OLD, name="王芳", join_date=datetime.date(2001, 7, 1))
    page = phone_page
    login(page, "township1")
    page.goto(f"{live_server.url}{reverse('imports:upload', args=['members'])}")
    page.set_input_files("input[type=file]", roster(tmp_path, NEW[:-1] + "0"))
    # Wait for the whole result page: a click on its download link while it is still loading
    # stops the load, and the form to upload again at its foot never arrives.
    with page.expect_navigation():
        page.click("main >> text=上传并检查")
    errors = page.locator("table.import-errors")
    expect(errors).to_contain_text("第 4 行")
    expect(errors).to_contain_text("李明")
    expect(errors).to_contain_text("校验位")
    expect(page.locator(".import-notices")).to_contain_text("已忽略合计、签字等表尾行")
    with page.expect_download() as download:
        page.click("text=下载标注了错误的文件")
    assert download.value.suggested_filename.endswith("（已标注错误）.xlsx")

    page.set_input_files("input[type=file]", roster(tmp_path, NEW))
    with page.expect_navigation():
        page.click("main >> text=上传并检查")
    changes = page.locator("table.import-changes")
    expect(changes).to_contain_text("王芳 → 王芳芳")
    page.click("text=确认导入")
    expect(page.locator(".messages")).to_contain_text("勾选确认")
    assert Member.objects.get(id_number=OLD).name == "王芳" and Member.objects.count() == 1

    page.check("input[name=confirm_row]")
    page.click("text=确认导入")
    expect(page.locator(".messages")).to_contain_text("导入完成")
    assert Member.objects.get(id_number=OLD).name == "王芳芳"
    new = Member.objects.get(id_number=NEW)
    assert new.name == "李明" and new.join_date == datetime.date(2010, 7, 1)
    assert not new.join_date_month_only
    # The roster's 2001.07 agrees with the day on record: the day is kept, not thrown away.
    old = Member.objects.get(id_number=OLD)
    assert old.join_date == datetime.date(2001, 7, 1) and not old.join_date_month_only
    page.screenshot(path=str(tmp_path / "done.png"), full_page=True)
