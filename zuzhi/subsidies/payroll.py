"""Monthly payroll runs of the subsidy ledger (人才补贴发放批次): computed set-based (by the
worker for large runs, with a progress bar), approved once and then locked; corrections
(补发/扣回) land as lines of the next run. Every write checks the talent office's scope and
is audited in its transaction."""

import datetime
import logging

from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.fields import Sealed
from zuzhi.core.models import AuditAction
from zuzhi.core.money import yuan
from zuzhi.core.scope import acting_user
from zuzhi.talent.models import TalentStatus
from zuzhi.talent.scoping import require_talent_office

from . import rules
from .models import (
    ApplicationStatus,
    LineKind,
    RunStatus,
    SubsidyApplication,
    SubsidyCorrection,
    SubsidyLine,
    SubsidyPolicy,
    SubsidyRun,
)
from .months import add_months, month_label, month_start

logger = logging.getLogger(__name__)

# Runs with more recipients than this are computed by the worker (`zuzhi db_worker`), with a
# progress bar on the page; smaller ones at once.
INLINE_RECIPIENTS = 2000
BATCH = 500  # lines per INSERT, and how often the progress bar moves


def locked_message(run: SubsidyRun) -> str:
    return f"{run}已审核锁定，不能修改或重新计算；如有差错，请登记补发或扣回，计入下一批次。"


def _progress_key(run_id) -> str:
    return f"subsidy-run-progress:{run_id}"


def subsidy_run_progress(*, run: SubsidyRun) -> int:
    """Recipients computed so far; read from the cache every process shares (the worker's
    transaction is invisible until it commits)."""
    if run.status in (RunStatus.DRAFT, RunStatus.APPROVED):
        return run.recipients
    return caches["progress"].get(_progress_key(run.pk), 0)


def _candidates(policy: SubsidyPolicy, month: datetime.date):
    """Approved applications concerned by `month`: within their paid months (paid, or stopped
    because the talent left), or just past their last month (stopped at the end)."""
    return SubsidyApplication.objects.filter(
        policy=policy,
        status=ApplicationStatus.APPROVED,
        first_month__lte=month,
        last_month__gte=add_months(month, -1),
    )


def _pending_corrections(run: SubsidyRun):
    """Corrections of earlier months not yet in a run (or already in this one)."""
    return SubsidyCorrection.objects.filter(
        application__policy_id=run.policy_id, month__lt=run.month
    ).filter(Q(run__isnull=True) | Q(run=run))


def _correction_line(run: SubsidyRun, c) -> SubsidyLine:
    application = c.application
    return SubsidyLine(
        payee_name=application.talent.name,
        payee_id_number=application.talent.id_number,
        bank_name=application.bank_name,
        bank_account=application.bank_account,
        run=run,
        application_id=c.application_id,
        talent_id=c.application.talent_id,
        kind=LineKind.BACK_PAY if c.amount_fen > 0 else LineKind.RECOVERY,
        month=c.month,
        degree=c.application.degree,
        amount_fen=c.amount_fen,
        correction=c,
        note=c.reason,
    )


def _compute(run: SubsidyRun) -> None:
    """The ledger of the run's month, set-based: one query reads every candidate, the lines
    are written in batches, the totals summed as they go. Progress goes to the shared cache."""
    month, policy = run.month, run.policy
    amounts = policy.amounts_fen
    cache = caches["progress"]
    run.lines.all().delete()
    rows = (
        _candidates(policy, month)
        .order_by("talent__name", "pk")
        .values_list(
            "pk",
            "talent_id",
            "degree",
            "first_month",
            "last_month",
            "talent__status",
            "talent__left_on",
            "talent__name",
            "talent__id_number",
            "bank_name",
            "bank_account",
        )
    )
    paid = stopped = total = done = 0
    batch: list[SubsidyLine] = []
    for row in rows.iterator(chunk_size=BATCH):
        pk, talent_id, degree, first, last, status, left_on, *payee = row
        amount = amounts.get(degree)
        reason = rules.stop_reason(
            month=month,
            first=first,
            last=last,
            left=status == TalentStatus.LEFT,
            left_on=left_on,
            amount_fen=amount,
        )
        if reason:
            stopped += 1
        else:
            paid += 1
            total += amount
        batch.append(
            SubsidyLine(
                run=run,
                application_id=pk,
                talent_id=talent_id,
                kind=LineKind.STOPPED if reason else LineKind.REGULAR,
                month=month,
                degree=degree,
                amount_fen=0 if reason else amount,
                note=reason,
                payee_name=payee[0],
                # The talent's number is encrypted and comes sealed through the relation: the
                # payroll line carries it in full (the bank pays by it).
                payee_id_number=payee[1].reveal() if isinstance(payee[1], Sealed) else payee[1],
                bank_name=payee[2],
                bank_account=payee[3],
            )
        )
        if len(batch) >= BATCH:
            SubsidyLine.objects.bulk_create(batch)
            done += len(batch)
            batch = []
            cache.set(_progress_key(run.pk), done, 3600)
    corrections = list(_pending_corrections(run).select_related("application__talent"))
    batch += [_correction_line(run, c) for c in corrections]
    total += sum(c.amount_fen for c in corrections)
    SubsidyLine.objects.bulk_create(batch)
    if corrections:
        SubsidyCorrection.objects.filter(pk__in=[c.pk for c in corrections]).update(run=run)
    run.paid_count, run.stopped_count, run.total_fen = paid, stopped, total
    run.recipients = paid + stopped
    run.status = RunStatus.DRAFT
    run.computed_at = timezone.now()
    run.save(
        update_fields=[
            "paid_count",
            "stopped_count",
            "total_fen",
            "recipients",
            "status",
            "computed_at",
        ]
    )
    cache.delete(_progress_key(run.pk))


def _start(run: SubsidyRun, *, background: bool) -> None:
    """Compute now, or queue for the worker when the run is large."""
    if not background or run.recipients <= INLINE_RECIPIENTS:
        _compute(run)
        return
    run.status, run.queued_at = RunStatus.QUEUED, timezone.now()
    run.save(update_fields=["status", "queued_at"])
    from .tasks import compute_subsidy_run

    transaction.on_commit(lambda: compute_subsidy_run.enqueue(run_id=run.pk))


def duplicate_message(policy: SubsidyPolicy, month: datetime.date) -> str:
    return f"{policy.name}{month_label(month)}的发放批次已经生成（可能是其他人刚刚生成的），请刷新后查看。"


def subsidy_run_create(
    *,
    actor,
    policy: SubsidyPolicy,
    month: datetime.date,
    today: datetime.date | None = None,
    background: bool = True,
) -> SubsidyRun:
    """Generate the month's payroll run of a policy: one per policy and month (the unique
    constraint settles two clerks generating it at once), months in order, the previous run
    approved first. Large runs go to the worker (`background`)."""
    require_talent_office(actor, policy.county.path, target=policy)
    month = month_start(month)
    today = today or timezone.localdate()
    if month > month_start(today):
        raise ValidationError({"month": f"{month_label(month)}尚未到来，不能生成发放批次。"})
    with transaction.atomic():
        # Two clerks of the same policy are served one after the other.
        policy = (
            SubsidyPolicy.objects.select_for_update().select_related("county").get(pk=policy.pk)
        )
        runs = SubsidyRun.objects.filter(policy=policy)
        if runs.filter(month=month).exists():
            raise ValidationError({"month": duplicate_message(policy, month)})
        later = runs.filter(month__gt=month).order_by("-month").first()
        if later:
            raise ValidationError(
                {
                    "month": f"已有{month_label(later.month)}的批次，不能再生成更早月份的批次；"
                    "以前月份的差额请登记补发或扣回。"
                }
            )
        latest = runs.order_by("-month").first()
        if latest and month != add_months(latest.month, 1):
            following = month_label(add_months(latest.month, 1))
            raise ValidationError(
                {"month": f"下一批次应为{following}：发放月份不能跳过，否则跳过的月份无法再发。"}
            )
        open_run = runs.exclude(status=RunStatus.APPROVED).first()
        if open_run:
            raise ValidationError(
                {"month": f"{month_label(open_run.month)}的批次尚未审核，请先审核再生成下一批次。"}
            )
        try:
            with transaction.atomic():
                run = SubsidyRun.objects.create(
                    policy=policy,
                    month=month,
                    status=RunStatus.COMPUTING,
                    recipients=_candidates(policy, month).count(),
                    created_by=acting_user(actor),
                )
        except IntegrityError as exc:
            raise ValidationError({"month": duplicate_message(policy, month)}) from exc
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=run,
            org_path=policy.county.path,
            after={"month": month.isoformat(), "recipients": run.recipients},
            message=f"生成发放批次（{run.recipients} 人）",
        )
        _start(run, background=background)
    return run


def subsidy_run_recompute(*, actor, run: SubsidyRun, background: bool = True) -> SubsidyRun:
    """Compute a run not yet approved again (after approvals, departures, corrections)."""
    require_talent_office(actor, run.policy.county.path, target=run)
    with transaction.atomic():
        run = SubsidyRun.objects.select_for_update().select_related("policy__county").get(pk=run.pk)
        if run.status == RunStatus.APPROVED:
            raise ValidationError(locked_message(run))
        if run.status in (RunStatus.QUEUED, RunStatus.COMPUTING) and not run_stuck(run=run):
            raise ValidationError("该批次正在计算，请稍候。")
        run.recipients = _candidates(run.policy, run.month).count()
        run.save(update_fields=["recipients"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=run,
            org_path=run.policy.county.path,
            message=f"重新计算发放批次（{run.recipients} 人）",
        )
        _start(run, background=background)
    return run


def subsidy_run_execute(*, run_id: int) -> SubsidyRun:
    """The worker's side: compute a queued run once, even if the task comes twice."""
    if not SubsidyRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.COMPUTING
    ):
        return SubsidyRun.objects.get(pk=run_id)
    run = SubsidyRun.objects.select_related("policy__county").get(pk=run_id)
    try:
        with transaction.atomic():
            _compute(run)
    except Exception:
        # Nothing was written (rolled back); the run must not stay "computing".
        logger.exception("subsidy run %s failed", run_id)
        SubsidyRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED)
        caches["progress"].delete(_progress_key(run_id))
    return SubsidyRun.objects.get(pk=run_id)


def subsidy_run_worker_missing(*, run: SubsidyRun) -> bool:
    """A queued run no worker has taken after ZUZHI_WORKER_WAIT_SECONDS."""
    from django.conf import settings

    return (
        run.status == RunStatus.QUEUED
        and run.queued_at is not None
        and timezone.now() - run.queued_at
        > datetime.timedelta(seconds=settings.ZUZHI_WORKER_WAIT_SECONDS)
    )


# A worker computes 10,000 recipients in seconds: a run queued or computing this long was
# lost (the worker died or restarted) and may be computed again.
STUCK_AFTER = datetime.timedelta(minutes=10)


def run_stuck(*, run: SubsidyRun) -> bool:
    return (
        run.status in (RunStatus.QUEUED, RunStatus.COMPUTING)
        and run.queued_at is not None
        and timezone.now() - run.queued_at > STUCK_AFTER
    )


def subsidy_run_approve(*, actor, run: SubsidyRun) -> SubsidyRun:
    """Approve a computed run, once: from then on it is locked."""
    require_talent_office(actor, run.policy.county.path, target=run)
    with transaction.atomic():
        run = SubsidyRun.objects.select_for_update().select_related("policy__county").get(pk=run.pk)
        if run.status == RunStatus.APPROVED:
            raise ValidationError(
                f"{run}已于{timezone.localtime(run.approved_at):%Y-%m-%d %H:%M}审核并锁定，"
                "不能再次审核。"
            )
        if run.status != RunStatus.DRAFT:
            raise ValidationError("该批次尚未计算完成，不能审核。")
        run.status = RunStatus.APPROVED
        run.approved_at = timezone.now()
        run.approved_by = acting_user(actor)
        run.save(update_fields=["status", "approved_at", "approved_by"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=run,
            org_path=run.policy.county.path,
            before={"status": RunStatus.DRAFT},
            after={"status": RunStatus.APPROVED, "total_fen": run.total_fen},
            message=f"审核发放批次：{run.paid_count} 人，合计 {yuan(run.total_fen)} 元",
        )
    return run


def subsidy_line_note(*, actor, line: SubsidyLine, note: str) -> SubsidyLine:
    """The 备注 of a line of a run not yet approved (printed in the finance export)."""
    run = line.run
    require_talent_office(actor, run.policy.county.path, target=line)
    with transaction.atomic():
        run = SubsidyRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.APPROVED:
            raise ValidationError(locked_message(run))
        before = line.note
        line.note = (note or "").strip()[:200]
        line.save(update_fields=["note"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=line,
            org_path=run.policy.county.path,
            before={"note": before},
            after={"note": line.note},
        )
    return line


def _check_correction(application: SubsidyApplication, month: datetime.date, amount: int):
    """Only months of the application's paid period are corrected, and a recovery (扣回) takes
    back no more than the month's lines and corrections paid. A back payment may exceed the
    standard amount: a payment the bank returned is paid again."""
    if not application.first_month <= month <= application.last_month:
        raise ValidationError(
            {
                "month": f"{month_label(month)}不在该人才的补贴发放期限内"
                f"（{month_label(application.first_month)}至{month_label(application.last_month)}）。"
            }
        )
    paid = (
        SubsidyLine.objects.filter(
            application=application, month=month, run__status=RunStatus.APPROVED, correction=None
        ).aggregate(total=Sum("amount_fen"))["total"]
        or 0
    ) + (
        SubsidyCorrection.objects.filter(application=application, month=month).aggregate(
            total=Sum("amount_fen")
        )["total"]
        or 0
    )
    if paid + amount < 0:
        raise ValidationError({"amount_fen": f"扣回金额超过该月已发的 {yuan(paid)} 元。"})


def subsidy_correction_create(
    *, actor, application: SubsidyApplication, month: datetime.date, amount_fen: int, reason: str
) -> SubsidyCorrection:
    """A correction (补发 positive, 扣回 negative, in fen) of a month paid by an approved run.
    It lands in the policy's open run if there is one after that month, else in the next run
    generated: the locked run is never touched."""
    policy = application.policy
    require_talent_office(actor, policy.county.path, target=application)
    month = month_start(month)
    reason = (reason or "").strip()
    errors = {}
    if application.status != ApplicationStatus.APPROVED:
        errors["__all__"] = "只能更正已通过申请的发放。"
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen == 0:
        errors["amount_fen"] = "请填写补发（正数）或扣回（负数）的金额。"
    elif abs(amount_fen) > 100_000_000:
        errors["amount_fen"] = "金额过大。"
    if not reason:
        errors["reason"] = "请填写补发或扣回的原因。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        SubsidyPolicy.objects.select_for_update().get(pk=policy.pk)
        if not SubsidyRun.objects.filter(
            policy=policy, month=month, status=RunStatus.APPROVED
        ).exists():
            raise ValidationError(
                {"month": f"{month_label(month)}没有已审核的发放批次，无需补发或扣回。"}
            )
        _check_correction(application, month, amount_fen)
        correction = SubsidyCorrection.objects.create(
            application=application,
            month=month,
            amount_fen=amount_fen,
            reason=reason[:200],
            created_by=acting_user(actor),
        )
        open_run = (
            SubsidyRun.objects.select_for_update()
            .filter(policy=policy, status=RunStatus.DRAFT, month__gt=month)
            .first()
        )
        if open_run:
            _correction_line(open_run, correction).save()
            correction.run = open_run
            correction.save(update_fields=["run"])
            open_run.total_fen += amount_fen
            open_run.save(update_fields=["total_fen"])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=correction,
            org_path=policy.county.path,
            after=snapshot(correction),
            message=("补发" if amount_fen > 0 else "扣回") + f" {yuan(abs(amount_fen))} 元",
        )
    return correction
