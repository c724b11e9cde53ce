"""The data a contest scores (数据录入): indicator values and their evidence, directly entered
scores, and bonus and penalty items (加减分) with their review.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import snapshot
from zuzhi.core.models import AuditAction
from zuzhi.core.uploads import upload_error

from .. import scoring
from ..models import (
    Adjustment,
    AdjustmentKind,
    DecisionStatus,
    DirectScore,
    Entrant,
    Indicator,
    IndicatorValue,
    RaterGroup,
    Stage,
    StageKind,
)
from ..rules import (
    MAX_INDICATOR_VALUE,
    audit,
    parse_decimal,
    require_editable,
    require_entrant_scope,
    require_manager,
)


def _value_snapshot(item: IndicatorValue) -> dict:
    return {"value": str(item.value), "note": item.note, "evidence": item.evidence.name or ""}


def indicator_value_set(
    *, actor, entrant: Entrant, indicator: Indicator, value, note: str | None = None, evidence=None
) -> IndicatorValue:
    """Record an entrant's value on a leaf indicator (录入指标数据), replacing an earlier one;
    without a `note` (the grid page has none) an earlier note is kept."""
    contest = entrant.contest
    require_entrant_scope(actor, entrant)
    require_editable(contest)
    errors: dict[str, list[str]] = {}
    if indicator.stage.contest_id != contest.pk:
        errors["indicator"] = ["该指标不属于本次考评。"]
    elif indicator.children.exists():
        errors["indicator"] = [f"“{indicator.name}”下设子指标，请录入各子指标的数值。"]
    number = parse_decimal(value, "value", errors, label="数值")
    if number is not None and abs(number) >= MAX_INDICATOR_VALUE:
        errors["value"] = [f"数值的绝对值应小于 {MAX_INDICATOR_VALUE:,}。"]
    elif number is not None and number != number.quantize(Decimal("0.0001")):
        errors["value"] = ["数值最多保留 4 位小数。"]
    if evidence is not None and (problem := upload_error(evidence)):
        errors["evidence"] = [problem]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = (
            IndicatorValue.objects.select_for_update()
            .filter(indicator=indicator, entrant=entrant)
            .first()
        )
        before = _value_snapshot(current) if current else None
        item = current or IndicatorValue(indicator=indicator, entrant=entrant)
        item.scaled = int(number.scaleb(4))
        if note is not None:
            item.note = note[:200]
        item.entered_by = actor
        if evidence is not None:
            item.evidence = evidence
        item.save()
        after = _value_snapshot(item)
        if before != after:
            audit(
                actor,
                AuditAction.UPDATE if current else AuditAction.CREATE,
                item,
                contest,
                before=before,
                after=after,
                target_repr=f"{entrant.name}·{indicator.name}",
            )
    return item


def indicator_value_evidence_set(
    *, actor, entrant: Entrant, indicator: Indicator, evidence
) -> IndicatorValue:
    """Attach or replace the evidence (佐证材料) of a value already entered, leaving the value
    itself as it is. The earlier file stays in storage: the audit row still names it."""
    contest = entrant.contest
    require_entrant_scope(actor, entrant)
    require_editable(contest)
    if indicator.stage.contest_id != contest.pk:
        raise ValidationError({"indicator": ["该指标不属于本次考评。"]})
    if evidence is None:
        raise ValidationError({"evidence": ["请选择要上传的佐证材料。"]})
    if problem := upload_error(evidence):
        raise ValidationError({"evidence": [problem]})
    with transaction.atomic():
        item = (
            IndicatorValue.objects.select_for_update()
            .filter(indicator=indicator, entrant=entrant)
            .first()
        )
        if item is None:
            raise ValidationError({"value": ["还没有录入数值，请先录入数值再上传佐证材料。"]})
        before = _value_snapshot(item)
        item.evidence, item.entered_by = evidence, actor
        item.save(update_fields=["evidence", "entered_by", "entered_at"])
        audit(
            actor,
            AuditAction.UPDATE,
            item,
            contest,
            before=before,
            after=_value_snapshot(item),
            message="上传佐证材料",
            target_repr=f"{entrant.name}·{indicator.name}",
        )
    return item


def direct_score_set(
    *, actor, entrant: Entrant, stage: Stage, score, rater_group: RaterGroup | None = None
) -> DirectScore:
    """Record a public report's score or one rater group's appraisal score, on 0–100."""
    contest = entrant.contest
    require_manager(actor, contest)
    require_editable(contest)
    errors: dict[str, list[str]] = {}
    if stage.contest_id != contest.pk or stage.kind not in (
        StageKind.PUBLIC_REPORT,
        StageKind.APPRAISAL,
    ):
        errors["stage"] = ["该环节不能直接录入得分。"]
    elif stage.kind == StageKind.APPRAISAL and (
        rater_group is None or rater_group.stage_id != stage.pk
    ):
        errors["rater_group"] = ["请选择本环节的测评主体。"]
    elif stage.kind == StageKind.PUBLIC_REPORT:
        rater_group = None
    number = parse_decimal(score, "score", errors, label="得分")
    if number is not None and not Decimal(0) <= number <= scoring.HUNDRED:
        errors["score"] = ["得分应在 0 到 100 之间。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item, created = DirectScore.objects.select_for_update().get_or_create(
            stage=stage,
            entrant=entrant,
            rater_group=rater_group,
            defaults={"score": number, "entered_by": actor},
        )
        before = None if created else {"score": str(item.score)}
        item.score, item.entered_by = scoring.q2(number), actor
        item.save()
        audit(
            actor,
            AuditAction.CREATE if created else AuditAction.UPDATE,
            item,
            contest,
            before=before,
            after={"score": str(item.score)},
            target_repr=f"{entrant.name}·{stage.name}",
        )
    return item


def adjustment_request(
    *, actor, entrant: Entrant, kind: str, amount, reason: str, evidence
) -> Adjustment:
    """Propose a bonus or penalty item (申报加减分) with reason and evidence; it counts only once
    the organizer approves it."""
    contest = entrant.contest
    require_entrant_scope(actor, entrant)
    require_editable(contest)
    errors: dict[str, list[str]] = {}
    if kind not in AdjustmentKind.values:
        errors["kind"] = ["请选择加分或减分。"]
    number = parse_decimal(amount, "amount", errors, label="分值")
    limit = contest.bonus_limit if kind == AdjustmentKind.BONUS else contest.penalty_limit
    if number is not None and not Decimal(0) < number <= limit:
        errors["amount"] = [f"分值应大于 0 且不超过上限 {limit} 分。"]
    if not (reason or "").strip():
        errors["reason"] = ["请写明加减分事由。"]
    if evidence is None:
        errors["evidence"] = ["请上传佐证材料。"]
    elif problem := upload_error(evidence):
        errors["evidence"] = [problem]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = Adjustment.objects.create(
            contest=contest,
            entrant=entrant,
            kind=kind,
            amount=scoring.q2(number),
            reason=reason.strip()[:200],
            evidence=evidence,
            requested_by=actor,
        )
        audit(
            actor,
            AuditAction.CREATE,
            item,
            contest,
            after=snapshot(item, ["entrant", "kind", "amount", "reason"]),
            target_repr=f"{entrant.name}·{item.get_kind_display()}",
        )
    return item


def adjustment_decide(
    *, actor, adjustment: Adjustment, approve: bool, note: str = ""
) -> Adjustment:
    """The organizer (county) approves or rejects a bonus or penalty item (审核加减分). Approved
    items of one kind may not exceed the contest's limit for an entrant together."""
    contest = adjustment.contest
    require_manager(actor, contest)
    require_editable(contest)
    if not approve and not note.strip():
        raise ValidationError({"decision_note": ["不批准时请写明理由。"]})
    with transaction.atomic():
        # The entrant's row is locked first, so two approvals for one entrant cannot both pass
        # the limit at the same moment.
        Entrant.objects.select_for_update().filter(pk=adjustment.entrant_id).first()
        item = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
        if item.status != DecisionStatus.PENDING:
            raise ValidationError("该加减分项已经审核过。")
        if item.requested_by_id == actor.pk:
            raise ValidationError("不能审核自己申报的加减分项。")
        if approve:
            approved = sum(
                Adjustment.objects.filter(
                    entrant=item.entrant, kind=item.kind, status=DecisionStatus.APPROVED
                ).values_list("amount", flat=True),
                Decimal(0),
            )
            limit = (
                contest.bonus_limit if item.kind == AdjustmentKind.BONUS else contest.penalty_limit
            )
            if approved + item.amount > limit:
                raise ValidationError(
                    f"批准后{item.get_kind_display()}合计 {approved + item.amount} 分，超过上限 {limit} 分。"
                )
        item.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        item.decided_by, item.decided_at, item.decision_note = (
            actor,
            timezone.now(),
            note.strip()[:200],
        )
        item.save()
        audit(
            actor,
            AuditAction.UPDATE,
            item,
            contest,
            before={"status": "pending"},
            after={"status": item.status, "note": item.decision_note},
        )
    return item
