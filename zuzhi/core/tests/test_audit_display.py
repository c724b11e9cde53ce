"""Change history anyone can read (issue #12 §5): every history page and the audit log show
labels, not stored values; names, not ids; no internal field names."""

import datetime
import io

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from zuzhi.accounts import grants, services
from zuzhi.core.audit_display import Change, audit_entries, type_label
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.members.services import member_transfer, member_update
from zuzhi.testing.factories import make_member, valid_id_number

MEMBER_PHONE = "13912345678"


def changes_of(response, index=0) -> list:
    return response.context["entries"][index].changes


def xlsx_rows(response):
    assert response.status_code == 200
    return (
        CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        .get_sheet_by_index(0)
        .to_python()
    )


@pytest.fixture
def member(county, town_a_user):
    member = make_member(county.village_a1, name="王小明", phone=MEMBER_PHONE)
    return member_update(
        actor=town_a_user,
        member=member,
        data={
            "ethnicity": "02",
            "status": "probationary",
            "full_date": None,
            "phone": "13700001111",
        },
    )


def test_member_history_shows_code_and_choice_labels(member, client_as, town_a_user):
    response = client_as(town_a_user).get(reverse("members:history", args=[member.pk]))
    changes = changes_of(response)
    assert ("民族", "汉族", "蒙古族") in changes
    assert ("党员状态", "正式党员", "预备党员") in changes
    body = response.content.decode()
    assert ">01<" not in body and "probationary" not in body


def test_creation_shows_every_value_in_labels_and_hides_bookkeeping(member, client_as, town_a_user):
    response = client_as(town_a_user).get(reverse("members:history", args=[member.pk]))
    created = response.context["entries"][-1]
    assert created.row.action == AuditAction.CREATE and not created.has_before
    for change in [
        ("民族", "—", "汉族"),
        ("学历", "—", "大学"),
        ("所在党组织", "—", "李庄村党支部"),
        ("人员类别", "—", "农牧渔民"),
        ("入党日期", "—", "2005-07-01"),
        ("入党日期只有年月", "—", "否"),
    ]:
        assert change in created.changes
    labels = [c.label for c in created.changes]
    assert not {"id", "name_initials", "created_at", "updated_at", "organization_id"} & set(labels)


def test_transfer_names_the_organizations_and_hides_the_transfer_id(
    member, client_as, town_a_user, county
):
    member_transfer(
        actor=town_a_user,
        member=member,
        to_org=county.village_a2,
        transfer_date=datetime.date(2026, 3, 2),
        reason="工作调动",
    )
    response = client_as(town_a_user).get(reverse("members:history", args=[member.pk]))
    changes = changes_of(response)
    assert ("所在党组织", "李庄村党支部", "王庄村党支部") in changes
    assert ("组织关系转接", "—", "李庄村党支部 → 王庄村党支部（2026-03-02）") in changes
    assert ("状态", "—", "已接收") in changes
    body = response.content.decode()
    assert "transfer_id" not in body and "organization_id" not in body
    assert "accepted" not in body


def test_history_names_are_read_in_one_query_per_related_model(county, town_a_user):
    member = make_member(county.village_a1)
    for i in range(6):
        target = county.village_a2 if i % 2 == 0 else county.village_a1
        member.refresh_from_db()
        member_transfer(
            actor=town_a_user,
            member=member,
            to_org=target,
            transfer_date=datetime.date(2026, 3, 1 + i),
            reason="调动",
        )
    rows = list(AuditLog.objects.filter(target_id=str(member.pk), action=AuditAction.MOVE))
    assert len(rows) == 6
    town_a_user = type(town_a_user).objects.get(pk=town_a_user.pk)
    audit_entries(user=town_a_user, rows=rows[:1])  # the user's roles, read once
    with CaptureQueriesContext(connection) as one:
        audit_entries(user=town_a_user, rows=rows[:1])
    with CaptureQueriesContext(connection) as six:
        entries = audit_entries(user=town_a_user, rows=rows)
    # One for the organizations, one for the transfers, however many rows.
    assert len(one) == len(six) == 2
    assert all(
        Change("所在党组织", "李庄村党支部", "王庄村党支部") in e.changes for e in entries[1::2]
    )


def test_organization_outside_the_scope_is_not_named(county, client_as, town_b_user, county_user):
    member = make_member(county.village_a1)
    member_transfer(
        actor=county_user,
        member=member,
        to_org=county.village_b1,
        transfer_date=datetime.date(2026, 3, 2),
        reason="调动",
    )
    response = client_as(town_b_user).get(reverse("members:history", args=[member.pk]))
    assert ("所在党组织", "权限范围以外的组织", "张湾村党支部") in changes_of(response)


def test_township_cannot_read_another_townships_member_history(member, client_as, town_b_user):
    response = client_as(town_b_user).get(reverse("members:history", args=[member.pk]))
    assert response.status_code == 404 and "王小明" not in response.content.decode()


def test_history_masks_the_phone_for_a_role_without_the_personal_right(
    member, client_as, town_a_user
):
    body = client_as(town_a_user).get(
        reverse("members:history", args=[member.pk]), {"show": "full"}
    )
    text = body.content.decode()
    assert "137****1111" in text and "13700001111" not in text


# --- the audit log --------------------------------------------------------------------------


def test_audit_log_shows_object_type_and_before_after_in_labels(member, client_as, auditor_user):
    response = client_as(auditor_user).get(reverse("audit:list"), {"type": "members.member"})
    entry = response.context["entries"][0]
    assert entry.type_label == "党员"
    assert ("民族", "汉族", "蒙古族") in entry.changes
    assert "<td>党员</td>" in response.content.decode()


def test_audit_log_masks_personal_values_unless_the_role_may_see_them(
    member, client_as, auditor_user, county_user
):
    url = reverse("audit:list")
    params = {"type": "members.member", "action": "update"}
    for user in (auditor_user, county_user):
        text = client_as(user).get(url, params).content.decode()
        assert "139****5678" in text and MEMBER_PHONE not in text
    assert (
        MEMBER_PHONE
        not in client_as(auditor_user).get(url, {**params, "show": "full"}).content.decode()
    )
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()
    # A member's phone is encrypted at rest: the log keeps only its masked copy, so even the
    # role that may see personal data finds no plain value there, and no look is audited.
    full = client_as(county_user).get(url, {**params, "show": "full"}).content.decode()
    assert MEMBER_PHONE not in full and "139****5678" in full
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()
    exported = xlsx_rows(client_as(auditor_user).get(url, {**params, "export": "xlsx"}))
    assert MEMBER_PHONE not in str(exported) and "139****5678" in str(exported)


def test_export_has_labels_in_its_columns(member, client_as, auditor_user):
    rows = xlsx_rows(
        client_as(auditor_user).get(
            reverse("audit:list"), {"type": "members.member", "action": "update", "export": "xlsx"}
        )
    )
    header, row = rows[0], rows[1]
    record = dict(zip(header, row, strict=True))
    assert record["对象类型"] == "党员" and record["对象"] == "王小明"
    assert record["对象编号"] == str(member.pk)
    assert "民族：汉族" in record["修改前"] and "民族：蒙古族" in record["修改后"]
    assert "党员状态：预备党员" in record["修改后"]
    assert "ethnicity" not in str(rows) and "probationary" not in str(rows)


def test_grant_rows_show_which_role_on_which_organization(
    county, client_as, sysadmin_user, county_user, auditor_user
):
    insider = services.account_create(
        actor=sysadmin_user, username="insider", full_name="某人", password="Tongbai-2026-ok"
    )
    grant = grants.role_grant_request(
        actor=sysadmin_user, user=insider, role=Role.TOWNSHIP_STAFF, organization=county.town_a
    )
    services.password_change(user=insider, new_password="Own-choice-2026")
    grants.role_grant_approve(actor=county_user, grant=grant)
    refused = grants.role_grant_request(
        actor=sysadmin_user,
        user=insider,
        role=Role.BRANCH_SECRETARY,
        organization=county.village_b1,
    )
    grants.role_grant_refuse(actor=county_user, grant=refused, reason="不在本村")
    response = client_as(auditor_user).get(
        reverse("audit:list"), {"type": "accounts.user", "id": insider.pk, "action": "update"}
    )
    by_message = {e.row.message: e for e in response.context["entries"]}
    approve, refuse = by_message["批准角色授权"], by_message["驳回角色授权"]
    assert approve.type_label == "用户"
    assert ("授予角色", "—", "乡镇党委组织委员（城关镇党委）") in approve.changes
    assert ("角色", "—", "乡镇党委组织委员（城关镇党委）") in approve.changes
    assert ("角色授权申请", "乡镇党委组织委员（城关镇党委）", "乡镇党委组织委员（城关镇党委）") in (
        approve.changes
    )
    assert ("状态", "待审批", "已批准") in approve.changes
    assert (
        "角色授权申请",
        "支部书记（张湾村党支部）",
        "支部书记（张湾村党支部）",
    ) in refuse.changes
    assert ("状态", "待审批", "已驳回") in refuse.changes
    assert ("驳回理由", "—", "不在本村") in refuse.changes
    assert "township_staff" not in response.content.decode()


def test_every_model_has_a_chinese_object_type():
    for model in apps.get_models():
        if model.__module__.startswith("zuzhi."):
            label = type_label(model._meta.label_lower)
            assert label != model._meta.label_lower, f"{label} 没有中文名称"


def test_system_rows_and_unknown_keys(county):
    row = AuditLog(
        target_type="members.member",
        before={"mystery_key": 1, "id": 5},
        after={"mystery_key": 2, "id": 5, "join_date": "2005-07-01"},
        action=AuditAction.UPDATE,
    )
    (entry,) = audit_entries(user=SYSTEM, rows=[row])
    assert entry.changes == [Change("入党日期", "—", "2005-07-01")]


def test_times_are_local_and_choices_are_labels_in_any_audited_model(db):
    row = AuditLog(
        target_type="accounts.rolegrant",
        before=None,
        after={"requested_at": "2026-03-02T04:00:00+00:00", "status": "pending", "user_id": 1},
        action=AuditAction.CREATE,
    )
    (entry,) = audit_entries(user=SYSTEM, rows=[row])
    assert Change("申请时间", "—", "2026-03-02 12:00") in entry.changes
    assert Change("状态", "—", "待审批") in entry.changes
    assert not entry.has_before


def test_a_date_known_only_to_the_month_is_shown_as_the_month(county, client_as, town_a_user):
    member = make_member(
        county.village_a1,
        id_number=valid_id_number("19600101"),
        join_date=datetime.date(1985, 3, 1),
        join_date_month_only=True,
        full_date=datetime.date(1986, 3, 1),
    )
    response = client_as(town_a_user).get(reverse("members:history", args=[member.pk]))
    created = changes_of(response, -1)
    assert ("入党日期", "—", "1985.03") in created
    assert ("转正日期", "—", "1986-03-01") in created
