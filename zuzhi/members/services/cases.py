"""Cases needing attention (需关注的党员情况): lost contact, long unpaid dues, …"""

import datetime

from django.db import transaction

from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import require_in_scope

from ..models import (
    CaseKind,
    Member,
    MemberCase,
)
from .rules import SCOPE_REFUSED, local_today, raise_errors


def member_case_open(
    *, actor, member: Member, kind: str, opened_on: datetime.date, situation: str, handler: str
) -> MemberCase:
    """Open a lost-contact or inactive-member case (失联 / 口袋党员排查)."""
    require_in_scope(actor, member.organization.path, target=member, message=SCOPE_REFUSED)
    errors: dict[str, list[str]] = {}
    if kind not in CaseKind.values:
        errors["kind"] = ["请选择类型。"]
    if not situation.strip():
        errors["situation"] = ["请填写情况说明。"]
    if not handler.strip():
        errors["handler"] = ["请指定责任人。"]
    if opened_on is None or opened_on > local_today():
        errors["opened_on"] = ["请填写不晚于今天的日期。"]
    elif not is_plausible(opened_on):
        errors["opened_on"] = [OUT_OF_RANGE]
    if (
        kind in CaseKind.values
        and MemberCase.objects.filter(member=member, kind=kind, is_open=True).exists()
    ):
        errors["kind"] = ["该党员已有未办结的同类记录。"]
    raise_errors(errors)
    with transaction.atomic():
        case = MemberCase.objects.create(
            member=member,
            kind=kind,
            opened_on=opened_on,
            situation=situation.strip(),
            handler=handler.strip(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=case,
            org_path=member.organization.path,
            after=snapshot(case),
        )
    return case


def member_case_close(
    *, actor, case: MemberCase, resolution: str, closed_on: datetime.date
) -> MemberCase:
    """Close a case with its resolution (办结), e.g. contact restored or membership ended."""
    require_in_scope(
        actor, case.member.organization.path, target=case.member, message=SCOPE_REFUSED
    )
    errors: dict[str, list[str]] = {}
    if not case.is_open:
        errors["case"] = ["该记录已办结。"]
    if not resolution.strip():
        errors["resolution"] = ["请填写处理结果。"]
    if closed_on is None or closed_on < case.opened_on or closed_on > local_today():
        errors["closed_on"] = ["办结日期应在发现日期之后、今天之前。"]
    raise_errors(errors)
    with transaction.atomic():
        case.is_open, case.resolution, case.closed_on = False, resolution.strip(), closed_on
        case.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=case,
            org_path=case.member.organization.path,
            before={"is_open": True},
            after={
                "is_open": False,
                "resolution": case.resolution,
                "closed_on": closed_on.isoformat(),
            },
        )
    return case
