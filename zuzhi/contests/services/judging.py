"""The judges' panel (评委评分): seats, entrants called to the stage, sheets and corrections."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from zuzhi.core.models import AuditAction
from zuzhi.core.roles import Role
from zuzhi.core.scope import deny, has_role

from ..models import (
    Appearance,
    AppearanceStatus,
    ContestStatus,
    DecisionStatus,
    Entrant,
    JudgeSeat,
    ScoreCorrection,
    ScoreSheet,
    Stage,
    StageKind,
)
from ..rules import (
    audit,
    parse_decimal,
    require_editable,
    require_manager,
)


def judge_seat(*, actor, stage: Stage, judge) -> JudgeSeat:
    """Seat a judge on a judges' stage (聘请评委). The user must hold the judge role."""
    contest = stage.contest
    require_manager(actor, contest)
    require_editable(contest)
    if stage.kind != StageKind.JUDGES:
        raise ValidationError("只有评委评分环节可以安排评委。")
    if not has_role(judge, Role.JUDGE):
        raise ValidationError({"judge": ["该账号没有评委角色，请先由系统管理员授予。"]})
    if stage.appearances.exists():
        # Every entrant needs a sheet from every seat: a judge added after the first entrant
        # was called could never score the ones already closed.
        raise ValidationError({"judge": ["本环节已开始现场评分，不能再增加评委。"]})
    with transaction.atomic():
        if JudgeSeat.objects.filter(stage=stage, judge=judge).exists():
            raise ValidationError({"judge": ["该评委已在本环节。"]})
        seat_no = (stage.seats.aggregate(n=Max("seat_no"))["n"] or 0) + 1
        seat = JudgeSeat.objects.create(stage=stage, judge=judge, seat_no=seat_no)
        audit(
            actor,
            AuditAction.CREATE,
            seat,
            contest,
            after={"judge": judge.get_username(), "seat_no": seat_no},
            target_repr=f"{stage.name}·{seat_no}号评委",
        )
    return seat


def appearance_open(*, actor, stage: Stage, entrant: Entrant) -> Appearance:
    """Call an entrant to the stage (上场): the judges can now score it."""
    contest = stage.contest
    require_manager(actor, contest)
    require_editable(contest)
    if contest.status == ContestStatus.DRAFT:
        raise ValidationError("考评尚未开始。")
    if stage.kind != StageKind.JUDGES or entrant.contest_id != contest.pk:
        raise ValidationError("该对象不能在本环节上场。")
    with transaction.atomic():
        Stage.objects.select_for_update().filter(pk=stage.pk).first()
        if stage.appearances.filter(status=AppearanceStatus.OPEN).exclude(entrant=entrant).exists():
            raise ValidationError("还有参评对象正在评分，请先结束其评分。")
        appearance, _ = Appearance.objects.get_or_create(
            stage=stage,
            entrant=entrant,
            defaults={"order": (stage.appearances.aggregate(n=Max("order"))["n"] or 0) + 1},
        )
        if appearance.status == AppearanceStatus.CLOSED:
            raise ValidationError("该对象的评分已经结束。")
        appearance.status = AppearanceStatus.OPEN
        appearance.save(update_fields=["status"])
        audit(
            actor,
            AuditAction.UPDATE,
            appearance,
            contest,
            after={"status": "open"},
            target_repr=f"{stage.name}·{entrant.name}",
        )
    return appearance


def appearance_close(*, actor, appearance: Appearance) -> Appearance:
    """End an entrant's scoring (结束评分); its scores are then shown on the board."""
    stage = appearance.stage
    require_manager(actor, stage.contest)
    require_editable(stage.contest)
    with transaction.atomic():
        appearance = Appearance.objects.select_for_update().get(pk=appearance.pk)
        if appearance.status != AppearanceStatus.OPEN:
            raise ValidationError("该对象不在评分中。")
        submitted = ScoreSheet.objects.filter(stage=stage, entrant=appearance.entrant).count()
        seats = stage.seats.count()
        if submitted < seats:
            raise ValidationError(f"还有 {seats - submitted} 位评委没有提交评分。")
        appearance.status = AppearanceStatus.CLOSED
        appearance.save(update_fields=["status"])
        audit(
            actor,
            AuditAction.UPDATE,
            appearance,
            stage.contest,
            before={"status": "open"},
            after={"status": "closed"},
            target_repr=f"{stage.name}·{appearance.entrant.name}",
        )
    return appearance


def _check_marks(stage: Stage, marks: dict) -> dict[str, Decimal]:
    criteria = {str(c.pk): c for c in stage.criteria.all()}
    errors: list[str] = []
    clean: dict[str, Decimal] = {}
    given = {str(k): v for k, v in (marks or {}).items()}
    for key, criterion in criteria.items():
        raw = given.get(key)
        if raw in (None, ""):
            errors.append(f"请给“{criterion.name}”打分。")
            continue
        bucket: dict[str, list[str]] = {}
        value = parse_decimal(raw, "marks", bucket, label=f"“{criterion.name}”的得分")
        if value is None:
            errors.extend(bucket["marks"])
        elif not Decimal(0) <= value <= criterion.max_score:
            errors.append(f"“{criterion.name}”的得分应在 0 到 {criterion.max_score} 之间。")
        elif value != value.quantize(Decimal("0.1")):
            errors.append(f"“{criterion.name}”的得分最多保留一位小数。")
        else:
            clean[key] = value
    if set(given) - set(criteria):
        errors.append("提交了本环节以外的评分项。")
    if errors:
        raise ValidationError({"marks": errors})
    return clean


def sheet_check(
    *, judge, stage: Stage, entrant: Entrant, marks: dict
) -> tuple[dict[str, Decimal], Decimal]:
    """What `sheet_submit` would record, checked and totalled but not saved: the judge
    confirms the total the server computed (核对评分) before submitting."""
    if not JudgeSeat.objects.filter(stage=stage, judge=judge).exists():
        raise deny(judge, target=stage, message="未受聘的评委试图评分")
    require_editable(stage.contest)
    if not Appearance.objects.filter(
        stage=stage, entrant=entrant, status=AppearanceStatus.OPEN
    ).exists():
        raise ValidationError("该对象现在不在评分中。")
    clean = _check_marks(stage, marks)
    return clean, sum(clean.values(), Decimal(0))


def sheet_submit(*, judge, stage: Stage, entrant: Entrant, marks: dict) -> ScoreSheet:
    """A seated judge submits their scores for the entrant on stage (提交评分), once."""
    contest = stage.contest
    clean, total = sheet_check(judge=judge, stage=stage, entrant=entrant, marks=marks)
    try:
        with transaction.atomic():
            sheet = ScoreSheet.objects.create(
                stage=stage,
                entrant=entrant,
                judge=judge,
                marks={k: str(v) for k, v in clean.items()},
                total=total,
            )
            audit(
                judge,
                AuditAction.CREATE,
                sheet,
                contest,
                after={"marks": sheet.marks, "total": str(total)},
                target_repr=f"{stage.name}·{entrant.name}",
            )
    except IntegrityError as exc:
        # The unique constraint decides, not a read before the write: two taps submit once.
        raise ValidationError("您已提交过对该对象的评分；如需更正，请申请更正。") from exc
    return sheet


def correction_request(*, judge, sheet: ScoreSheet, marks: dict, reason: str) -> ScoreCorrection:
    """A judge asks to correct a submitted sheet (申请更正评分), with a reason."""
    if sheet.judge_id != judge.pk:
        raise deny(judge, target=sheet, message="试图更正他人的评分")
    require_editable(sheet.stage.contest)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请写明更正理由。"]})
    clean = _check_marks(sheet.stage, marks)
    with transaction.atomic():
        if sheet.corrections.filter(status=DecisionStatus.PENDING).exists():
            raise ValidationError("已有一条更正申请待审核。")
        item = ScoreCorrection.objects.create(
            sheet=sheet, marks={k: str(v) for k, v in clean.items()}, reason=reason.strip()[:200]
        )
        audit(
            judge,
            AuditAction.CREATE,
            item,
            sheet.stage.contest,
            before=sheet.marks,
            after=item.marks,
            message=item.reason,
        )
    return item


def correction_decide(*, actor, correction: ScoreCorrection, approve: bool) -> ScoreCorrection:
    """The contest secretary (the organizer's staff) approves or rejects a correction."""
    sheet = correction.sheet
    contest = sheet.stage.contest
    require_manager(actor, contest)
    require_editable(contest)
    with transaction.atomic():
        item = ScoreCorrection.objects.select_for_update().get(pk=correction.pk)
        if item.status != DecisionStatus.PENDING:
            raise ValidationError("该更正申请已经审核过。")
        if sheet.judge_id == actor.pk:
            raise ValidationError("不能审核自己的评分更正申请。")
        item.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        item.decided_by, item.decided_at = actor, timezone.now()
        item.save()
        before = {"marks": sheet.marks, "total": str(sheet.total)}
        if approve:
            sheet.marks = item.marks
            sheet.total = sum((Decimal(v) for v in item.marks.values()), Decimal(0))
            sheet.save(update_fields=["marks", "total"])
        audit(
            actor,
            AuditAction.UPDATE,
            sheet,
            contest,
            before=before,
            after={"marks": sheet.marks, "total": str(sheet.total), "correction": item.status},
            message=item.reason,
        )
    return item
