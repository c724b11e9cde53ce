"""Moving a member between branches (组织关系转接): inside the county at once, across it by the receiving side's decision."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user, path_in_scope, require_in_scope
from zuzhi.orgs.figures import org_figures_refresh
from zuzhi.orgs.models import CommitteePosition, CommitteeSeat, Organization
from zuzhi.orgs.services import org_secretary_follow_roster

from ..models import (
    Member,
    MemberTransfer,
    TransferStatus,
)
from .rules import MEMBER_ORG_TYPES, SCOPE_REFUSED, local_today, raise_errors

PENDING_EXISTS = "该党员已有待接收的转接，请先办结或撤销。"


def _move(member: Member, to_org: Organization, *, actor, on: datetime.date) -> None:
    """The member now belongs to `to_org`; a seat on the old branch's committee (支部委员会)
    ends on the day the relationship moved (the receiving side may not hold the old branch in
    its scope: the move itself is the authority, and each ended seat is audited)."""
    Member.objects.filter(pk=member.pk).update(organization=to_org, updated_at=timezone.now())
    org_figures_refresh(organization_ids=[member.organization_id, to_org.pk])
    member.organization = to_org
    seats = CommitteeSeat.objects.filter(member=member, ended_on__isnull=True).select_related(
        "organization"
    )
    for seat in seats.exclude(organization=to_org):
        before = snapshot(seat, ["ended_on"])
        seat.ended_on = max(on, seat.started_on)
        seat.save(update_fields=["ended_on"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=seat,
            org_path=seat.organization.path,
            before=before,
            after=snapshot(seat, ["ended_on"]),
            message=f"{member.name}组织关系转出，不再担任{seat.get_position_display()}",
        )
        if seat.position == CommitteePosition.SECRETARY:
            org_secretary_follow_roster(actor=actor, organization=seat.organization)


def member_transfer_check(
    *, actor, member: Member, to_org: Organization | None, transfer_date, reason: str
) -> None:
    """The rules of a transfer, checked before the sending clerk is asked to confirm it
    (确认转出) and again when it is sent; writes nothing."""
    require_in_scope(actor, member.organization.path, target=member, message=SCOPE_REFUSED)
    errors: dict[str, list[str]] = {}
    if to_org is None:
        errors["to_org"] = ["请选择转入党组织。"]
    elif to_org.org_type not in MEMBER_ORG_TYPES:
        errors["to_org"] = ["转入组织应为党支部或党总支。"]
    elif to_org.pk == member.organization_id:
        errors["to_org"] = ["转入组织与现所在组织相同。"]
    if not transfer_date:
        errors["transfer_date"] = ["请填写转接日期。"]
    elif not is_plausible(transfer_date):
        errors["transfer_date"] = [OUT_OF_RANGE]
    elif transfer_date > local_today() + datetime.timedelta(days=90):
        errors["transfer_date"] = ["转接日期不能晚于 90 天以后。"]
    if not (reason or "").strip():
        errors["reason"] = ["请填写转接原因。"]
    raise_errors(errors)
    if MemberTransfer.objects.filter(member=member, status=TransferStatus.PENDING).exists():
        raise ValidationError({"to_org": [PENDING_EXISTS]})


def member_transfer(
    *, actor, member: Member, to_org: Organization, transfer_date: datetime.date, reason: str
) -> MemberTransfer:
    """Start a transfer (组织关系转出). Inside the actor's scope it takes effect at once;
    otherwise it waits for the receiving organization to accept."""
    member_transfer_check(
        actor=actor, member=member, to_org=to_org, transfer_date=transfer_date, reason=reason
    )
    with transaction.atomic():
        # Only the member's row: holding the organization's would stop a registration there
        # from committing (its key check) while it holds the figures this service waits for.
        member = (
            Member.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=member.pk)
        )
        if MemberTransfer.objects.filter(member=member, status=TransferStatus.PENDING).exists():
            raise ValidationError({"to_org": [PENDING_EXISTS]})
        local = path_in_scope(actor, to_org.path)
        transfer = MemberTransfer.objects.create(
            member=member,
            from_org=member.organization,
            to_org=to_org,
            transfer_date=transfer_date,
            reason=reason.strip(),
            status=TransferStatus.ACCEPTED if local else TransferStatus.PENDING,
            requested_by=acting_user(actor),
            decided_by=acting_user(actor) if local else None,
            decided_at=timezone.now() if local else None,
        )
        before = {"organization_id": member.organization_id}
        if local:
            _move(member, to_org, actor=actor, on=transfer_date)
        audit_record(
            actor=actor,
            action=AuditAction.MOVE if local else AuditAction.UPDATE,
            target=member,
            org_path=transfer.from_org.path,
            before=before,
            after={
                "organization_id": member.organization_id,
                "transfer_id": transfer.pk,
                "status": transfer.status,
            },
            message=f"组织关系转接：{transfer.from_org} → {to_org}（{transfer.get_status_display()}）",
        )
    return transfer


def member_transfer_decide(
    *, actor, transfer: MemberTransfer, accept: bool, note: str = ""
) -> MemberTransfer:
    """The receiving side accepts (接收) or returns (退回) a pending transfer."""
    require_in_scope(
        actor, transfer.to_org.path, target=transfer, message="试图接收权限范围以外的转接"
    )
    with transaction.atomic():
        transfer = (
            MemberTransfer.objects.select_for_update(of=("self", "member"))
            .select_related("member", "to_org", "from_org")
            .get(pk=transfer.pk)
        )
        if transfer.status != TransferStatus.PENDING:
            raise ValidationError(
                {"status": [f"该转接已{transfer.get_status_display()}，不能重复办理。"]}
            )
        if not accept and not note.strip():
            raise ValidationError({"decision_note": ["退回时请填写原因。"]})
        transfer.status = TransferStatus.ACCEPTED if accept else TransferStatus.REJECTED
        transfer.decided_by, transfer.decided_at, transfer.decision_note = (
            acting_user(actor),
            timezone.now(),
            note.strip(),
        )
        transfer.save()
        member = transfer.member
        before = {"organization_id": member.organization_id}
        if accept:
            _move(member, transfer.to_org, actor=actor, on=transfer.transfer_date)
        audit_record(
            actor=actor,
            action=AuditAction.MOVE if accept else AuditAction.UPDATE,
            target=member,
            org_path=transfer.to_org.path if accept else transfer.from_org.path,
            before=before,
            after={
                "organization_id": member.organization_id,
                "transfer_id": transfer.pk,
                "status": transfer.status,
            },
            message=f"组织关系转接{'接收' if accept else '退回'}：{transfer.from_org} → {transfer.to_org}",
        )
    return transfer


def member_transfer_cancel(*, actor, transfer: MemberTransfer) -> MemberTransfer:
    """The sending side withdraws a pending transfer (撤销)."""
    require_in_scope(
        actor, transfer.from_org.path, target=transfer, message="试图撤销权限范围以外的转接"
    )
    with transaction.atomic():
        transfer = MemberTransfer.objects.select_for_update().get(pk=transfer.pk)
        if transfer.status != TransferStatus.PENDING:
            raise ValidationError({"status": ["只有待接收的转接可以撤销。"]})
        transfer.status = TransferStatus.CANCELLED
        transfer.decided_by, transfer.decided_at = acting_user(actor), timezone.now()
        transfer.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=transfer.member,
            org_path=transfer.from_org.path,
            after={"transfer_id": transfer.pk, "status": transfer.status},
            message="撤销组织关系转接",
        )
    return transfer
