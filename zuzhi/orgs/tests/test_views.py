"""Organization pages: list + export, tree, detail, edit, create, history — scope, masking
and audit as a township user, a branch secretary and county staff rely on them."""

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.scope import SYSTEM
from zuzhi.orgs.models import Organization, OrgType, UnitCategory
from zuzhi.orgs.services import org_update
from zuzhi.testing.factories import OrganizationFactory


def xlsx_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return book.get_sheet_by_index(0).to_python()


def form_data(org, **changes):
    data = {
        "parent": str(org.parent_id or ""),
        "code": org.code,
        "name": org.name,
        "short_name": "",
        "org_type": org.org_type,
        "unit_category": org.unit_category,
        "secretary_name": "",
        "secretary_phone": "",
        "founded_on": str(org.founded_on or ""),
        "term_start": "",
        "term_end": "",
        "division_code": "",
        "address": "",
        "sort_order": "0",
        "is_active": "on",
    }
    data.update(changes)
    return data


def unchanged(org):
    """The organization as stored now, field by field, to prove a refused POST wrote nothing."""
    return {k: v for k, v in Organization.objects.filter(pk=org.pk).values()[0].items()}


# --- Out of scope is a 404 page on every organization page -----------------------------


@pytest.mark.parametrize("name", ["detail", "edit", "history", "children"])
def test_other_township_gets_the_404_page(county, client_as, town_b_user, name):
    response = client_as(town_b_user).get(reverse(f"orgs:{name}", args=[county.village_a1.pk]))
    body = response.content.decode()
    assert response.status_code == 404
    assert "未找到" in body and "李庄村" not in body and "城关镇" not in body


def test_out_of_scope_edit_post_is_404_and_writes_nothing(county, client_as, town_b_user):
    before, log = unchanged(county.village_a1), AuditLog.objects.count()
    response = client_as(town_b_user).post(
        reverse("orgs:edit", args=[county.village_a1.pk]),
        form_data(county.village_a1, name="越权修改", parent=str(county.town_b.pk)),
    )
    assert response.status_code == 404
    assert unchanged(county.village_a1) == before
    # The only new row is the denial, which the township itself cannot read.
    new = AuditLog.objects.order_by("id")[log:].values_list("action", flat=True)
    assert list(new) == [AuditAction.PERMISSION_DENIED]


def test_branch_secretary_cannot_open_or_edit_the_sibling_branch(county, client_as, branch_a1_user):
    client = client_as(branch_a1_user)
    before = unchanged(county.village_a2)
    for name in ("detail", "edit", "history", "children"):
        url = reverse(f"orgs:{name}", args=[county.village_a2.pk])
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("orgs:edit", args=[county.village_a2.pk]),
        form_data(county.village_a2, secretary_name="越权"),
    )
    assert response.status_code == 404
    assert unchanged(county.village_a2) == before


def test_create_under_another_township_is_404(county, client_as, town_a_user):
    response = client_as(town_a_user).get(reverse("orgs:create"), {"parent": county.town_b.pk})
    assert response.status_code == 404 and "城郊乡" not in response.content.decode()


# --- List and export ------------------------------------------------------------------


def test_list_shows_only_own_township(county, client_as, town_b_user):
    body = client_as(town_b_user).get(reverse("orgs:list")).content.decode()
    assert "张湾村党支部" in body and "李庄村党支部" not in body and "城关镇党委" not in body


def test_search_by_pinyin_initials_stays_in_scope(county, client_as, town_a_user, town_b_user):
    assert (
        "李庄村党支部"
        in client_as(town_a_user).get(reverse("orgs:list"), {"q": "lzc"}).content.decode()
    )
    body = client_as(town_b_user).get(reverse("orgs:list"), {"q": "lzc"}).content.decode()
    assert "李庄村党支部" not in body and "没有符合条件的党组织" in body


def test_list_filters_by_type_category_and_subtree(county, client_as, county_user):
    client = client_as(county_user)
    body = client.get(reverse("orgs:list"), {"org_type": OrgType.COMMITTEE}).content.decode()
    assert "城关镇党委" in body and "城郊乡党委" in body and "李庄村党支部" not in body
    body = client.get(
        reverse("orgs:list"), {"unit_category": UnitCategory.GOVERNMENT}
    ).content.decode()
    assert "县教育局党组织" in body and "城关镇党委" not in body
    body = client.get(reverse("orgs:list"), {"within": county.town_b.pk}).content.decode()
    assert "城郊乡党委" in body and "张湾村党支部" in body and "李庄村党支部" not in body


def test_list_within_another_township_is_404(county, client_as, town_a_user):
    client = client_as(town_a_user)
    assert client.get(reverse("orgs:list"), {"within": county.town_b.pk}).status_code == 404
    response = client.get(reverse("orgs:list"), {"within": county.town_b.pk, "export": "xlsx"})
    assert response.status_code == 404
    assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("within", ["abc", "-1", "99999999999999999999999", "١٢"])
def test_list_with_a_malformed_subtree_id_is_404_not_500(county, client_as, town_a_user, within):
    assert client_as(town_a_user).get(reverse("orgs:list"), {"within": within}).status_code == 404


@pytest.mark.parametrize(
    "q, status",
    # 60,000 characters: past SQLite's LIKE limit, a 500 unless cut to a searchable length.
    [("李庄\x00", 400), ("\x00", 400), ("%", 200), ("'", 200), ("李" * 60_000, 200)],
)
def test_list_and_tree_search_survive_odd_input(county, client_as, town_a_user, q, status):
    # A NUL character is refused before any view (RefuseNulMiddleware), the rest is searched.
    client = client_as(town_a_user)
    assert client.get(reverse("orgs:list"), {"q": q, "page": "x"}).status_code == status
    tree = client.get(reverse("orgs:tree"), {"q": q}, HTTP_HX_REQUEST="true")
    assert tree.status_code == status


def test_list_pages_by_50_and_the_pager_keeps_the_filters(county, client_as, town_a_user):
    for i in range(55):
        OrganizationFactory(parent=county.town_a, code=f"P{i:02d}", name=f"新村{i:02d}党支部")
    client = client_as(town_a_user)
    response = client.get(reverse("orgs:list"), {"q": "新村", "org_type": OrgType.BRANCH})
    assert len(response.context["page"]) == 50
    assert response.context["page"].paginator.count == 55
    body = response.content.decode()
    assert "q=%E6%96%B0%E6%9D%91&amp;org_type=branch&amp;page=2" in body
    second = client.get(reverse("orgs:list"), {"q": "新村", "org_type": "branch", "page": 2})
    assert [o.code for o in second.context["page"]] == [f"P{i:02d}" for i in range(50, 55)]


def test_export_has_exactly_the_filtered_rows_with_chinese_headers(county, client_as, town_a_user):
    client = client_as(town_a_user)
    rows = xlsx_rows(client.get(reverse("orgs:list"), {"q": "李庄", "export": "xlsx"}))
    assert rows[0][:4] == ["组织代码", "组织名称", "组织类型", "单位类别"]
    assert rows[1][:3] == ["VA1", "李庄村党支部", "党支部"]
    assert len(rows) == 2
    # No filter: the whole subtree, and nothing from the other township or the county.
    rows = xlsx_rows(client.get(reverse("orgs:list"), {"export": "xlsx"}))
    assert sorted(r[0] for r in rows[1:]) == ["TA", "VA1", "VA2"]


def test_export_for_other_township_contains_none_of_ours(county, client_as, town_b_user):
    rows = xlsx_rows(client_as(town_b_user).get(reverse("orgs:list"), {"export": "xlsx"}))
    assert {r[0] for r in rows[1:]} == {"TB", "VB1"}
    assert all("李庄" not in str(cell) and "城关" not in str(cell) for r in rows for cell in r)


def test_export_masks_phones_for_township_and_writes_an_export_row(county, client_as, town_a_user):
    org_update(actor=SYSTEM, org=county.village_a1, data={"secretary_phone": "13812345678"})
    start = AuditLog.objects.count()
    rows = xlsx_rows(
        client_as(town_a_user).get(reverse("orgs:list"), {"q": "VA1", "export": "xlsx"})
    )
    assert rows[0][7] == "书记电话" and rows[1][7] == "138****5678"
    new = AuditLog.objects.order_by("id")[start:]
    assert [row.action for row in new] == [AuditAction.EXPORT]
    assert new[0].actor == town_a_user and "1 行" in new[0].message


def test_county_staff_export_is_unmasked_and_logged(county, client_as, county_user):
    org_update(actor=SYSTEM, org=county.village_a1, data={"secretary_phone": "13812345678"})
    rows = xlsx_rows(
        client_as(county_user).get(reverse("orgs:list"), {"q": "VA1", "export": "xlsx"})
    )
    assert rows[1][7] == "13812345678"
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, actor=county_user).count() == 1
    assert AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL, actor=county_user).count() == 1


def test_unmasked_roles_come_from_settings(county, client_as, town_a_user, settings):
    settings.ZUZHI_UNMASKED_ROLES = ["township_staff"]
    org_update(actor=SYSTEM, org=county.village_a1, data={"secretary_phone": "13812345678"})
    rows = xlsx_rows(
        client_as(town_a_user).get(reverse("orgs:list"), {"q": "VA1", "export": "xlsx"})
    )
    assert rows[1][7] == "13812345678"


def test_list_page_never_shows_a_full_phone(county, client_as, county_user):
    org_update(actor=SYSTEM, org=county.village_a1, data={"secretary_phone": "13812345678"})
    body = client_as(county_user).get(reverse("orgs:list")).content.decode()
    assert "138****5678" in body and "13812345678" not in body


# --- Tree -----------------------------------------------------------------------------


def test_tree_children_are_lazy_and_scoped(county, client_as, town_a_user):
    client = client_as(town_a_user)
    tree = client.get(reverse("orgs:tree")).content.decode()
    assert "城关镇党委" in tree and "李庄村党支部" not in tree and "示范县委" not in tree
    assert f'hx-get="{reverse("orgs:children", args=[county.town_a.pk])}"' in tree
    children = client.get(reverse("orgs:children", args=[county.town_a.pk])).content.decode()
    assert "李庄村党支部" in children and "王庄村党支部" in children
    assert client.get(reverse("orgs:children", args=[county.town_b.pk])).status_code == 404


def test_tree_search_stays_in_scope(county, client_as, town_b_user):
    client = client_as(town_b_user)
    body = client.get(reverse("orgs:tree"), {"q": "李庄"}, HTTP_HX_REQUEST="true").content.decode()
    assert "没有找到" in body and "李庄村" not in body
    body = client.get(reverse("orgs:tree"), {"q": "cg"}, HTTP_HX_REQUEST="true").content.decode()
    assert "城关镇" not in body


def test_tree_search_by_initials_shows_the_breadcrumb_inside_scope(county, client_as, town_a_user):
    body = (
        client_as(town_a_user)
        .get(reverse("orgs:tree"), {"q": "wzc"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "王庄村党支部" in body and "城关镇党委" in body
    # The county above the township's scope is not part of its breadcrumb.
    assert "示范县委" not in body and "李庄村" not in body
    assert "<html" not in body


def test_tree_search_without_javascript_keeps_the_tree(county, client_as, town_a_user):
    body = client_as(town_a_user).get(reverse("orgs:tree"), {"q": "wzc"}).content.decode()
    assert "<html" in body and "王庄村党支部" in body
    assert f'hx-get="{reverse("orgs:children", args=[county.town_a.pk])}"' in body


# --- Detail ---------------------------------------------------------------------------


def test_detail_shows_breadcrumbs_counts_and_children(county, client_as, town_a_user):
    body = (
        client_as(town_a_user).get(reverse("orgs:detail", args=[county.town_a.pk])).content.decode()
    )
    assert "组织代码" in body and "单位类别" in body and "乡镇" in body
    assert "党委：1 个" in body and "党支部：2 个" in body
    assert "李庄村党支部" in body and "王庄村党支部" in body and "张湾村" not in body
    assert reverse("orgs:edit", args=[county.town_a.pk]) in body
    assert reverse("orgs:history", args=[county.town_a.pk]) in body
    village = (
        client_as(town_a_user)
        .get(reverse("orgs:detail", args=[county.village_a1.pk]))
        .content.decode()
    )
    assert (
        f'<a href="{reverse("orgs:detail", args=[county.town_a.pk])}">城关镇党委</a> ›' in village
    )


def test_detail_masks_phone_until_an_allowed_user_asks(county, client_as, county_user, town_a_user):
    org_update(actor=SYSTEM, org=county.village_a1, data={"secretary_phone": "13812345678"})
    url = reverse("orgs:detail", args=[county.village_a1.pk])
    body = client_as(town_a_user).get(url, {"show": "phone"}).content.decode()
    assert "138****5678" in body and "13812345678" not in body and "查看完整号码" not in body
    county_client = client_as(county_user)
    assert "138****5678" in county_client.get(url).content.decode()
    assert "13812345678" in county_client.get(url, {"show": "phone"}).content.decode()
    assert AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).count() == 1


# --- Edit and create ------------------------------------------------------------------


def test_edit_saves_and_writes_one_audit_row(county, client_as, town_a_user):
    start = AuditLog.objects.count()
    response = client_as(town_a_user).post(
        reverse("orgs:edit", args=[county.village_a1.pk]),
        form_data(county.village_a1, secretary_name="李明"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", args=[county.village_a1.pk])
    county.village_a1.refresh_from_db()
    assert county.village_a1.secretary_name == "李明"
    row = AuditLog.objects.get(id__gt=AuditLog.objects.order_by("id")[start - 1].id)
    assert row.action == AuditAction.UPDATE and row.actor == town_a_user
    assert row.after == {"secretary_name": "李明"}


def test_township_can_edit_its_own_committee_whose_parent_is_above_it(
    county, client_as, town_a_user
):
    """The county committee above is the current parent: keeping it is no move, no denial."""
    client = client_as(town_a_user)
    page = client.get(reverse("orgs:edit", args=[county.town_a.pk])).content.decode()
    assert "示范县委" in page and "城郊乡党委" not in page
    start = AuditLog.objects.count()
    response = client.post(
        reverse("orgs:edit", args=[county.town_a.pk]),
        form_data(county.town_a, secretary_name="王书记"),
    )
    assert response.status_code == 302
    county.town_a.refresh_from_db()
    assert county.town_a.secretary_name == "王书记" and county.town_a.parent_id == county.county.pk
    assert list(AuditLog.objects.order_by("id")[start:].values_list("action", flat=True)) == [
        AuditAction.UPDATE
    ]


def test_branch_secretary_edits_own_branch(county, client_as, branch_a1_user):
    response = client_as(branch_a1_user).post(
        reverse("orgs:edit", args=[county.village_a1.pk]),
        form_data(county.village_a1, secretary_phone="13712345678"),
    )
    assert response.status_code == 302
    county.village_a1.refresh_from_db()
    assert county.village_a1.secretary_phone == "13712345678"


def test_parent_choices_are_limited_to_the_scope(county, client_as, town_a_user):
    OrganizationFactory(
        parent=county.town_a, code="GA", name="城关镇机关党总支", org_type=OrgType.GENERAL_BRANCH
    )
    response = client_as(town_a_user).get(reverse("orgs:edit", args=[county.village_a1.pk]))
    names = [o.name for o in response.context["form"].fields["parent"].queryset]
    # Branches have no subordinate organizations and the county is not the township's to use.
    assert names == ["城关镇党委", "城关镇机关党总支"]


def test_invalid_edit_shows_chinese_errors_and_writes_nothing(county, client_as, town_a_user):
    before, start = unchanged(county.village_a1), AuditLog.objects.count()
    response = client_as(town_a_user).post(
        reverse("orgs:edit", args=[county.village_a1.pk]),
        form_data(
            county.village_a1,
            name="李庄村党支部（新）",
            term_start="2026-05-01",
            term_end="2021-05-01",
            division_code="999999",
            secretary_phone="电话",
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "请修正下列错误后再保存" in body
    assert "任期届满日期不能早于任期开始日期" in body
    assert "不在行政区划代码表" in body and "不是手机号码" in body
    form = response.context["form"]
    assert set(form.errors) == {"term_end", "division_code", "secretary_phone"}
    assert unchanged(county.village_a1) == before
    assert AuditLog.objects.count() == start


def test_form_level_errors_are_chinese_too(county, client_as, town_a_user):
    response = client_as(town_a_user).post(
        reverse("orgs:edit", args=[county.village_a1.pk]),
        form_data(county.village_a1, name="", founded_on="2020-13-45", org_type="x"),
    )
    errors = response.context["form"].errors
    assert set(errors) == {"name", "founded_on", "org_type"}
    assert "必填" in str(errors["name"]) and "日期" in str(errors["founded_on"])


def test_edit_cannot_move_into_another_township(county, client_as, town_a_user):
    start = AuditLog.objects.count()
    response = client_as(town_a_user).post(
        reverse("orgs:edit", args=[county.village_a1.pk]),
        form_data(county.village_a1, parent=str(county.town_b.pk)),
    )
    assert response.status_code == 200 and "parent" in response.context["form"].errors
    assert "城郊乡" not in response.content.decode()
    county.village_a1.refresh_from_db()
    assert county.village_a1.parent_id == county.town_a.pk
    assert AuditLog.objects.count() == start


def test_changing_the_parent_moves_the_subtree_and_shows_in_history(county, client_as, town_a_user):
    general = OrganizationFactory(
        parent=county.town_a, code="GA", name="城关镇机关党总支", org_type=OrgType.GENERAL_BRANCH
    )
    client = client_as(town_a_user)
    start = AuditLog.objects.count()
    response = client.post(
        reverse("orgs:edit", args=[county.village_a1.pk]),
        form_data(county.village_a1, parent=str(general.pk)),
    )
    assert response.status_code == 302
    county.village_a1.refresh_from_db()
    assert county.village_a1.parent_id == general.pk
    assert county.village_a1.path.startswith(general.path)
    assert AuditLog.objects.count() == start + 1
    history = client.get(reverse("orgs:history", args=[county.village_a1.pk]))
    changes = history.context["entries"][0][1]
    assert ("上级组织", "城关镇党委", "城关镇机关党总支") in changes
    assert all(label != "path" for label, _, _ in changes)


def test_create_under_own_township(county, client_as, town_a_user):
    client = client_as(town_a_user)
    page = client.get(reverse("orgs:create"), {"parent": county.town_a.pk})
    assert page.context["form"]["parent"].value() == county.town_a.pk
    response = client.post(
        reverse("orgs:create"),
        form_data(county.village_a1, code="VA3", name="赵庄村党支部", parent=str(county.town_a.pk)),
    )
    assert response.status_code == 302
    org = Organization.objects.get(code="VA3")
    assert org.parent_id == county.town_a.pk
    assert AuditLog.objects.filter(action=AuditAction.CREATE, target_id=str(org.pk)).count() == 1
    assert "赵庄村党支部" in client.get(response["Location"]).content.decode()


def test_create_refuses_a_duplicate_code_and_a_missing_parent(county, client_as, town_a_user):
    start = Organization.objects.count()
    client = client_as(town_a_user)
    response = client.post(
        reverse("orgs:create"),
        form_data(county.village_a1, code="VA2", name="重复", parent=str(county.town_a.pk)),
    )
    assert "code" in response.context["form"].errors and "已存在" in response.content.decode()
    response = client.post(reverse("orgs:create"), form_data(county.village_a1, parent=""))
    assert "parent" in response.context["form"].errors
    response = client.post(
        reverse("orgs:create"),
        form_data(county.village_a1, code="X1", parent=str(county.town_b.pk)),
    )
    assert "parent" in response.context["form"].errors
    assert Organization.objects.count() == start


# --- History --------------------------------------------------------------------------


def test_history_lists_changes_with_chinese_labels(county, client_as, town_a_user):
    org_update(
        actor=town_a_user,
        org=county.village_a1,
        data={"secretary_name": "李明", "unit_category": UnitCategory.COMMUNITY},
    )
    response = client_as(town_a_user).get(reverse("orgs:history", args=[county.village_a1.pk]))
    body = response.content.decode()
    assert "town_a" in body and "修改前" in body
    row, changes, has_before = response.context["entries"][0]
    assert has_before and row.action == AuditAction.UPDATE
    assert ("书记", "—", "李明") in changes
    assert ("单位类别", "行政村", "社区") in changes
    # The creation comes last and lists what the organization was created with.
    created = response.context["entries"][-1]
    assert created[0].action == AuditAction.CREATE and not created[2]
    assert ("组织名称", "—", "李庄村党支部") in created[1]


def test_history_masks_phones_for_township_staff(county, client_as, town_a_user, county_user):
    org_update(actor=SYSTEM, org=county.village_a1, data={"secretary_phone": "13812345678"})
    url = reverse("orgs:history", args=[county.village_a1.pk])
    body = client_as(town_a_user).get(url).content.decode()
    assert "138****5678" in body and "13812345678" not in body
    assert "13812345678" not in client_as(town_a_user).get(url, {"show": "phone"}).content.decode()
    county_client = client_as(county_user)
    assert "13812345678" not in county_client.get(url).content.decode()
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()
    # Encrypted at rest, the phone is logged as its masked copy: even the role that may see
    # personal data finds no plain value in the history, and no look is audited.
    full = county_client.get(url, {"show": "phone"}).content.decode()
    assert "13812345678" not in full and "138****5678" in full
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()


def test_history_does_not_name_a_former_parent_outside_the_scope(
    county, client_as, county_user, town_a_user
):
    client_as(county_user).post(
        reverse("orgs:edit", args=[county.village_b1.pk]),
        form_data(county.village_b1, parent=str(county.town_a.pk)),
    )
    response = client_as(town_a_user).get(reverse("orgs:history", args=[county.village_b1.pk]))
    assert ("上级组织", "权限范围以外的组织", "城关镇党委") in response.context["entries"][0][1]
    assert "城郊乡" not in response.content.decode()


def test_history_of_another_township_org_is_404(county, client_as, town_b_user, town_a_user):
    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_name": "李明"})
    response = client_as(town_b_user).get(reverse("orgs:history", args=[county.village_a1.pk]))
    assert response.status_code == 404 and "李明" not in response.content.decode()


# --- Home -----------------------------------------------------------------------------


def test_home_shows_counts_for_data_users_and_duties_for_admins(
    county, client_as, town_a_user, sysadmin_user, auditor_user
):
    body = client_as(town_a_user).get("/").content.decode()
    assert "城关镇党委" in body and "党支部：2 个" in body and "城郊乡" not in body
    body = client_as(sysadmin_user).get("/").content.decode()
    assert "账号管理" in body and "城关镇党委" not in body
    body = client_as(auditor_user).get("/").content.decode()
    assert "审计日志" in body and "城关镇党委" not in body


def test_edit_form_shows_the_phone_masked_and_keeps_it_when_untouched(
    county, client_as, town_a_user
):
    org_update(actor=SYSTEM, org=county.village_a1, data={"secretary_phone": "13812345678"})
    client = client_as(town_a_user)
    url = reverse("orgs:edit", args=[county.village_a1.pk])
    page = client.get(url).content.decode()
    assert 'value="138****5678"' in page and "13812345678" not in page
    response = client.post(
        url, form_data(county.village_a1, secretary_phone="138****5678", secretary_name="李明")
    )
    assert response.status_code == 302
    county.village_a1.refresh_from_db()
    assert county.village_a1.secretary_phone == "13812345678"
    assert AuditLog.objects.order_by("-id")[0].after == {"secretary_name": "李明"}
    client.post(url, form_data(county.village_a1, secretary_phone="13900001111"))
    county.village_a1.refresh_from_db()
    assert county.village_a1.secretary_phone == "13900001111"
