"""Party dues (党费): bases, payments, exemptions. Amounts are integer fen."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.dates import date_range_errors, require_plausible_dates, require_plausible_year
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import PATH_STEP, acting_user, path_in, require_in_scope, user_scope_paths
from zuzhi.members.models import Member

from .models import DuesBasis, DuesExemption, DuesPayment, ExemptionStatus
from .rules import DuesRuleError, monthly_dues_fen


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


SCOPE_REFUSED = "试图办理权限范围以外党员的党费"


def dues_basis_set(
    *,
    actor,
    member: Member,
    year: int,
    kind: str,
    income_fen: int | None = None,
    farmer_fen: int | None = None,
) -> DuesBasis:
    """Fix a member's monthly dues for a year (核定党费) from the 2008 brackets."""
    require_in_scope(actor, member.organization.path, target=member, message=SCOPE_REFUSED)
    require_plausible_year(year=year)
    try:
        monthly = monthly_dues_fen(kind=kind, income_fen=income_fen, farmer_fen=farmer_fen)
    except DuesRuleError as exc:
        raise ValidationError({"income_fen": [str(exc)]}) from exc
    with transaction.atomic():
        basis = DuesBasis.objects.filter(member=member, year=year).first()
        before = snapshot(basis) if basis else None
        basis = basis or DuesBasis(member=member, year=year)
        basis.kind, basis.income_fen, basis.monthly_fen, basis.set_by = (
            kind,
            income_fen,
            monthly,
            acting_user(actor),
        )
        basis.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            target=basis,
            org_path=member.organization.path,
            before=before,
            after=snapshot(basis),
            message=f"核定 {year} 年党费",
        )
    return basis


def dues_due_fen(*, member: Member, month: datetime.date) -> int | None:
    """What the member owes for a month: the approved exemption's amount if any, else the
    year's basis; None when no basis has been set."""
    month = first_of_month(month)
    exemption = (
        member.dues_exemptions.filter(
            status=ExemptionStatus.APPROVED, first_month__lte=month, last_month__gte=month
        )
        .order_by("-first_month")
        .first()
    )
    if exemption is not None:
        return exemption.monthly_fen
    basis = member.dues_bases.filter(year=month.year).first()
    return basis.monthly_fen if basis else None


def dues_payment_record(
    *, actor, member: Member, month: datetime.date, amount_fen: int, paid_on: datetime.date
) -> DuesPayment:
    """Record one month's dues (登记党费). The amount must match what is due."""
    require_in_scope(actor, member.organization.path, target=member, message=SCOPE_REFUSED)
    require_plausible_dates(month=month, paid_on=paid_on)
    month = first_of_month(month)
    errors: dict[str, list[str]] = {}
    due = dues_due_fen(member=member, month=month)
    if due is None:
        errors["month"] = [f"尚未核定 {month.year} 年的党费基数。"]
    elif amount_fen != due:
        errors["amount_fen"] = [
            f"应交 {due / 100:.2f} 元，与登记金额 {amount_fen / 100:.2f} 元不符。"
        ]
    if paid_on > timezone.localdate():
        errors["paid_on"] = ["交纳日期不能晚于今天。"]
    if month > first_of_month(timezone.localdate()) + datetime.timedelta(days=366):
        errors["month"] = ["最多预交一年党费。"]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            payment = DuesPayment.objects.create(
                member=member,
                month=month,
                amount_fen=amount_fen,
                paid_on=paid_on,
                recorded_by=acting_user(actor),
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=payment,
                org_path=member.organization.path,
                after=snapshot(payment),
            )
    except IntegrityError as exc:
        raise ValidationError({"month": [f"{month:%Y 年 %m 月}的党费已登记。"]}) from exc
    return payment


def _one_level_up(actor, member: Member) -> bool:
    """An approver stands above the member's own organization: their scope covers its
    parent, not only the organization itself (上一级党组织审批)."""
    parent_path = member.organization.path[:-PATH_STEP]
    return bool(parent_path) and any(path_in(parent_path, root) for root in user_scope_paths(actor))


def dues_exemption_request(
    *,
    actor,
    member: Member,
    first_month: datetime.date,
    last_month: datetime.date,
    monthly_fen: int,
    reason: str,
) -> DuesExemption:
    """The branch asks to reduce or waive a member's dues (申请减免)."""
    require_in_scope(actor, member.organization.path, target=member, message=SCOPE_REFUSED)
    first_month, last_month = first_of_month(first_month), first_of_month(last_month)
    errors: dict[str, list[str]] = date_range_errors(first_month=first_month, last_month=last_month)
    if last_month < first_month:
        errors["last_month"] = ["截止月份不能早于起始月份。"]
    if not reason.strip():
        errors["reason"] = ["请填写减免原因。"]
    if monthly_fen < 0:
        errors["monthly_fen"] = ["金额不能为负数。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        exemption = DuesExemption.objects.create(
            member=member,
            first_month=first_month,
            last_month=last_month,
            monthly_fen=monthly_fen,
            reason=reason.strip(),
            requested_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=exemption,
            org_path=member.organization.path,
            after=snapshot(exemption),
        )
    return exemption


def dues_exemption_decide(*, actor, exemption: DuesExemption, approve: bool) -> DuesExemption:
    """Approve or refuse an exemption; only one level above the member's organization."""
    member = exemption.member
    require_in_scope(actor, member.organization.path, target=exemption, message=SCOPE_REFUSED)
    if not _one_level_up(actor, member):
        raise ValidationError({"status": ["减免党费须由上一级党组织审批，本支部不能自行批准。"]})
    with transaction.atomic():
        exemption = DuesExemption.objects.select_for_update().get(pk=exemption.pk)
        if exemption.status != ExemptionStatus.PENDING:
            raise ValidationError({"status": ["该申请已审批。"]})
        exemption.status = ExemptionStatus.APPROVED if approve else ExemptionStatus.REJECTED
        exemption.decided_by, exemption.decided_at = acting_user(actor), timezone.now()
        exemption.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=exemption,
            org_path=member.organization.path,
            before={"status": ExemptionStatus.PENDING},
            after={"status": exemption.status},
        )
    return exemption
