import io

from django.urls import reverse
from python_calamine import CalamineWorkbook

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.orgs.services import org_update


def xlsx_rows(response):
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return book.get_sheet_by_index(0).to_python()


def test_list_shows_only_own_township(county, client_as, town_b_user):
    body = client_as(town_b_user).get(reverse("orgs:list")).content.decode()
    assert "张湾村党支部" in body and "李庄村党支部" not in body and "城关镇党委" not in body


def test_search_by_pinyin_initials_stays_in_scope(county, client_as, town_a_user, town_b_user):
    assert (
        "李庄村党支部"
        in client_as(town_a_user).get(reverse("orgs:list"), {"q": "lzc"}).content.decode()
    )
    body = client_as(town_b_user).get(reverse("orgs:list"), {"q": "lzc"}).content.decode()
    assert "李庄村党支部" not in body


def test_tree_search_stays_in_scope(county, client_as, town_b_user):
    client = client_as(town_b_user)
    body = client.get(reverse("orgs:tree"), {"q": "李庄"}, HTTP_HX_REQUEST="true").content.decode()
    assert "没有找到" in body and "李庄村" not in body


def test_tree_children_are_lazy_and_scoped(county, client_as, town_a_user):
    client = client_as(town_a_user)
    tree = client.get(reverse("orgs:tree")).content.decode()
    assert "城关镇党委" in tree and "李庄村党支部" not in tree
    children = client.get(reverse("orgs:children", args=[county.town_a.pk])).content.decode()
    assert "李庄村党支部" in children and "王庄村党支部" in children
    assert client.get(reverse("orgs:children", args=[county.town_b.pk])).status_code == 404


def test_export_is_filtered_scoped_masked_and_audited(county, client_as, town_a_user):
    org_update(actor=None, org=county.village_a1, data={"secretary_phone": "13812345678"})
    response = client_as(town_a_user).get(reverse("orgs:list"), {"q": "李庄", "export": "xlsx"})
    rows = xlsx_rows(response)
    assert rows[0][0] == "组织代码"
    assert [r[0] for r in rows[1:]] == ["VA1"]
    assert rows[1][7] == "138****5678"
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, actor=town_a_user).count() == 1


def test_export_for_other_township_contains_none_of_ours(county, client_as, town_b_user):
    rows = xlsx_rows(client_as(town_b_user).get(reverse("orgs:list"), {"export": "xlsx"}))
    assert {r[0] for r in rows[1:]} == {"TB", "VB1"}


def test_county_staff_export_is_unmasked_and_logged(county, client_as, county_user):
    org_update(actor=None, org=county.village_a1, data={"secretary_phone": "13812345678"})
    rows = xlsx_rows(
        client_as(county_user).get(reverse("orgs:list"), {"q": "VA1", "export": "xlsx"})
    )
    assert rows[1][7] == "13812345678"
    assert AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL, actor=county_user).count() == 1


def test_detail_masks_phone_until_an_allowed_user_asks(county, client_as, county_user, town_a_user):
    org_update(actor=None, org=county.village_a1, data={"secretary_phone": "13812345678"})
    url = reverse("orgs:detail", args=[county.village_a1.pk])
    body = client_as(town_a_user).get(url, {"show": "phone"}).content.decode()
    assert "138****5678" in body and "13812345678" not in body
    county_client = client_as(county_user)
    assert "138****5678" in county_client.get(url).content.decode()
    assert "13812345678" in county_client.get(url, {"show": "phone"}).content.decode()
    assert AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).count() == 1


def form_data(org, **changes):
    data = {
        "code": org.code,
        "name": org.name,
        "short_name": "",
        "org_type": org.org_type,
        "unit_category": org.unit_category,
        "parent_code": org.parent.code if org.parent else "",
        "secretary_name": "",
        "secretary_phone": "",
        "founded_on": "",
        "term_start": "",
        "term_end": "",
        "division_code": "",
        "address": "",
        "sort_order": "0",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_edit_saves_and_writes_one_audit_row(county, client_as, town_a_user):
    start = AuditLog.objects.count()
    response = client_as(town_a_user).post(
        reverse("orgs:edit", args=[county.village_a1.pk]),
        form_data(county.village_a1, secretary_name="李明"),
    )
    assert response.status_code == 302
    county.village_a1.refresh_from_db()
    assert county.village_a1.secretary_name == "李明"
    assert AuditLog.objects.count() == start + 1


def test_invalid_edit_shows_chinese_errors_and_writes_nothing(county, client_as, town_a_user):
    start = AuditLog.objects.count()
    response = client_as(town_a_user).post(
        reverse("orgs:edit", args=[county.village_a1.pk]),
        form_data(
            county.village_a1,
            term_start="2026-05-01",
            term_end="2021-05-01",
            division_code="999999",
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "任期届满日期不能早于任期开始日期" in body and "行政区划代码" in body
    assert AuditLog.objects.count() == start


def test_edit_cannot_move_into_another_township(county, client_as, town_a_user):
    response = client_as(town_a_user).post(
        reverse("orgs:edit", args=[county.village_a1.pk]),
        form_data(county.village_a1, parent_code="TB"),
    )
    assert response.status_code == 200 and "不在您的权限范围内" in response.content.decode()
    county.village_a1.refresh_from_db()
    assert county.village_a1.parent_id == county.town_a.pk


def test_create_under_own_township(county, client_as, town_a_user):
    response = client_as(town_a_user).post(
        reverse("orgs:create"),
        form_data(county.village_a1, code="VA3", name="赵庄村党支部", parent_code="TA"),
    )
    assert response.status_code == 302
    assert "赵庄村党支部" in client_as(town_a_user).get(response["Location"]).content.decode()


def test_history_lists_changes_with_chinese_labels(county, client_as, town_a_user):
    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_name": "李明"})
    body = (
        client_as(town_a_user)
        .get(reverse("orgs:history", args=[county.village_a1.pk]))
        .content.decode()
    )
    assert "书记" in body and "李明" in body and "town_a" in body


def test_home_shows_counts_for_data_users_and_duties_for_admins(
    county, client_as, town_a_user, sysadmin_user
):
    body = client_as(town_a_user).get("/").content.decode()
    assert "城关镇党委" in body and "党支部：2 个" in body and "城郊乡" not in body
    body = client_as(sysadmin_user).get("/").content.decode()
    assert "账号管理" in body and "城关镇党委" not in body
