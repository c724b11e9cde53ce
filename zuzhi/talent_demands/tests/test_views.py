"""The catalogue's pages: the public page (no login) shows only published editions, by
industry and as Excel, never the internal note; the office's pages for the office only."""

import io

import openpyxl
import pytest

from zuzhi.talent_demands import services

from .test_api import editions  # noqa: F401 (fixture)


def test_public_page_shows_the_published_edition_without_login(client, editions):  # noqa: F811
    published, draft = editions
    index = client.get("/rencai/xuqiu/")
    assert index.status_code == 200
    page = index.content.decode()
    assert published.title in page and draft.title not in page
    detail = client.get(f"/rencai/xuqiu/{published.pk}/").content.decode()
    assert "工艺工程师" in detail and "材料工程师" in detail
    assert "企业急需" not in detail  # the internal note
    assert client.get(f"/rencai/xuqiu/{draft.pk}/").status_code == 404
    assert client.get(f"/rencai/xuqiu/{draft.pk}/xlsx/").status_code == 404


def test_public_page_filters_by_industry_and_downloads_excel(client, editions):  # noqa: F811
    published, _ = editions
    page = client.get(f"/rencai/xuqiu/{published.pk}/", {"industry": "新材料"}).content.decode()
    assert "材料工程师" in page and "工艺工程师" not in page
    answer = client.get(f"/rencai/xuqiu/{published.pk}/xlsx/")
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("所属产业", "用人单位", "需求岗位") and len(rows) == 3
    assert "内部备注" not in rows[0]
    assert not any("企业急需" in str(cell) for row in rows for cell in row)


def test_unpublished_edition_leaves_the_public_page(client, talent_world, editions):  # noqa: F811
    published, _ = editions
    services.edition_unpublish(actor=talent_world.office, edition=published, reason="调整")
    assert client.get(f"/rencai/xuqiu/{published.pk}/").status_code == 404


def test_office_pages(client, talent_world, editions):  # noqa: F811
    published, draft = editions
    client.force_login(talent_world.office)
    assert published.title in client.get("/talent-demands/").content.decode()
    page = client.get(f"/talent-demands/{draft.pk}/").content.decode()
    assert "草稿岗位" in page and "企业急需" in page
    answer = client.post(f"/talent-demands/{draft.pk}/publish/")
    assert answer.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    answer = client.post(f"/talent-demands/{published.pk}/copy/", {"year": "2029"})
    assert answer.status_code == 302
    assert "2029年度高层次人才需求目录" in client.get("/talent-demands/").content.decode()
    export = client.get(f"/talent-demands/{published.pk}/export/")
    assert export.status_code == 200


def test_entry_form_shows_errors_in_chinese(client, talent_world, editions):  # noqa: F811
    _, draft = editions
    client.force_login(talent_world.office)
    answer = client.post(
        f"/talent-demands/{draft.pk}/entries/new/", {"industry": "新材料", "number": "0"}
    )
    assert answer.status_code == 200
    assert "这个字段是必填项" in answer.content.decode()


@pytest.mark.parametrize("who", ["other_office", "county_staff", "township", "talent_user"])
def test_office_pages_are_the_office_only(client, talent_world, editions, who):  # noqa: F811
    _, draft = editions
    client.force_login(getattr(talent_world, who))
    assert client.get(f"/talent-demands/{draft.pk}/").status_code == 404
    assert client.post(f"/talent-demands/{draft.pk}/publish/").status_code == 404
    if who != "other_office":
        assert client.get("/talent-demands/").status_code == 404


def test_entry_form_refuses_a_personal_mobile_as_contact(client, talent_world, editions):  # noqa: F811
    _, draft = editions
    client.force_login(talent_world.office)
    form = {"industry": "新材料", "employer": "示范县新材料公司", "post": "研究员", "number": "1"}
    answer = client.post(
        f"/talent-demands/{draft.pk}/entries/new/", {**form, "contact": "138 1234 5678"}
    )
    assert answer.status_code == 200
    assert "不能填写个人手机号码；请填写单位办公电话" in answer.content.decode()
    assert not draft.entries.filter(post="研究员").exists()
