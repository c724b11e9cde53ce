"""Mobile members (流动党员): registered away and returned."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import path_in_scope, require_in_scope
from zuzhi.orgs.models import Organization

from ..models import (
    Member,
    MobileRecord,
)
from .rules import SCOPE_REFUSED, local_today, raise_errors


def mobile_register(
    *,
    actor,
    member: Member,
    destination: str,
    left_on: datetime.date,
    destination_org: Organization | None = None,
    contact: str = "",
) -> MobileRecord:
    """Register a member going away (流动党员登记). The destination organization, if named,
    sees the member too and shares the management (双向管理)."""
    require_in_scope(actor, member.organization.path, target=member, message=SCOPE_REFUSED)
    errors: dict[str, list[str]] = {}
    if not destination.strip():
        errors["destination"] = ["请填写外出地点及单位。"]
    if left_on is None or left_on > local_today():
        errors["left_on"] = ["请填写不晚于今天的外出日期。"]
    elif not is_plausible(left_on):
        errors["left_on"] = [OUT_OF_RANGE]
    if MobileRecord.objects.filter(member=member, returned_on__isnull=True).exists():
        errors["member"] = ["该党员已登记为流动党员，返回后才能再次登记。"]
    raise_errors(errors)
    with transaction.atomic():
        record = MobileRecord.objects.create(
            member=member,
            origin_org=member.organization,
            destination_org=destination_org,
            destination=destination.strip(),
            left_on=left_on,
            contact=contact.strip(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=record,
            org_path=member.organization.path,
            after=snapshot(record),
        )
    return record


def mobile_return(*, actor, record: MobileRecord, returned_on: datetime.date) -> MobileRecord:
    """The member is back (流动党员返回)."""
    if not (record.destination_org and path_in_scope(actor, record.destination_org.path)):
        require_in_scope(
            actor, record.origin_org.path, target=record, message="试图办理权限范围以外的流动党员"
        )
    if record.returned_on is not None:
        raise ValidationError({"returned_on": ["该党员已返回。"]})
    if returned_on is None or returned_on < record.left_on or returned_on > local_today():
        raise ValidationError({"returned_on": ["返回日期应在外出日期之后、今天之前。"]})
    with transaction.atomic():
        record.returned_on = returned_on
        record.save(update_fields=["returned_on"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=record,
            org_path=record.origin_org.path,
            before={"returned_on": None},
            after={"returned_on": returned_on.isoformat()},
        )
    return record
