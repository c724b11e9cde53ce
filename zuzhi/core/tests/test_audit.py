import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from zuzhi.core.audit import audit_record
from zuzhi.core.context import RequestMeta, reset_request_meta, set_request_meta
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.orgs.services import org_create, org_update


def test_update_writes_exactly_one_row_with_before_and_after(county, town_a_user):
    start = AuditLog.objects.count()
    org_update(actor=town_a_user, org=county.village_a1, data={"name": "李庄村第一党支部"})
    rows = list(AuditLog.objects.order_by("id")[start:])
    assert len(rows) == 1
    row = rows[0]
    assert row.action == AuditAction.UPDATE
    assert row.actor == town_a_user
    assert row.before == {"name": "李庄村党支部", "name_initials": "lzcdzb"}
    assert row.after["name"] == "李庄村第一党支部"
    assert row.org_path == county.village_a1.path


def test_update_without_change_writes_nothing(county, town_a_user):
    start = AuditLog.objects.count()
    org_update(actor=town_a_user, org=county.village_a1, data={"name": "李庄村党支部"})
    assert AuditLog.objects.count() == start


def test_failed_transaction_leaves_no_row(county, town_a_user):
    start = AuditLog.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        org_update(actor=town_a_user, org=county.village_a1, data={"name": "改名"})
        raise RuntimeError("later step fails")
    assert AuditLog.objects.count() == start
    county.village_a1.refresh_from_db()
    assert county.village_a1.name == "李庄村党支部"


def test_invalid_write_leaves_no_row(county, town_a_user):
    start = AuditLog.objects.count()
    with pytest.raises(ValidationError):
        org_create(
            actor=town_a_user,
            parent=county.town_a,
            data={"code": "X1", "name": "", "org_type": "branch"},
        )
    assert AuditLog.objects.count() == start


def test_request_ip_and_id_are_recorded(county):
    token = set_request_meta(RequestMeta(ip="10.1.2.3", request_id="abc123"))
    try:
        row = audit_record(actor=None, action=AuditAction.LOGIN_FAILED, actor_username="x")
    finally:
        reset_request_meta(token)
    assert (row.ip, row.request_id, row.actor_username) == ("10.1.2.3", "abc123", "x")


def test_log_rows_cannot_be_changed_or_deleted(county):
    row = AuditLog.objects.first()
    row.message = "tampered"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.all().update(message="x")
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.filter(message="tampered").count() == 0


def test_create_and_move_each_write_one_row(county, town_a_user):
    from zuzhi.testing.factories import OrganizationFactory

    general = [
        OrganizationFactory(parent=county.town_a, code=f"GB{i}", org_type="general_branch")
        for i in range(2)
    ]
    start = AuditLog.objects.count()
    org = org_create(
        actor=town_a_user,
        parent=general[0],
        data={"code": "G1", "name": "李庄村第一党小组支部", "org_type": "branch"},
    )
    create_rows = list(AuditLog.objects.order_by("id")[start:])
    assert len(create_rows) == 1
    assert create_rows[0].action == AuditAction.CREATE
    assert create_rows[0].after["code"] == "G1" and create_rows[0].after["path"] == org.path

    from zuzhi.orgs.services import org_move

    old_path = org.path
    org_move(actor=town_a_user, org=org, new_parent=general[1])
    move_rows = list(AuditLog.objects.order_by("id")[start + 1 :])
    assert len(move_rows) == 1
    assert move_rows[0].before == {"parent_id": general[0].pk, "path": old_path}
    assert move_rows[0].after["parent_id"] == general[1].pk


def test_parent_change_through_update_is_one_row(county, town_a_user):
    from zuzhi.testing.factories import OrganizationFactory

    general = OrganizationFactory(parent=county.town_a, code="GB", org_type="general_branch")
    start = AuditLog.objects.count()
    org_update(
        actor=town_a_user,
        org=county.village_a1,
        data={"parent": general, "secretary_name": "李书记"},
    )
    rows = list(AuditLog.objects.order_by("id")[start:])
    assert len(rows) == 1
    assert rows[0].before["parent_id"] == county.town_a.pk
    assert rows[0].after["parent_id"] == general.pk
    assert rows[0].after["secretary_name"] == "李书记"
