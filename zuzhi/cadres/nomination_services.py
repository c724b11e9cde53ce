"""Self-nomination (自荐) and correction requests (更正申请): guarded, audited transitions.

submitted (待单位提出意见) → unit_reviewed (待干部科审核) → accepted (纳入考察视野) or
declined (未采纳, with the reason the cadre reads); the cadre may withdraw before the decision.
A unit whose only leader is the nominee has nobody to give its opinion: the cadre section
then decides a submitted nomination directly.

Audit rows carry no organization path: the log is read in the data scope by county staff,
who must not read cadres' nominations; the audit administrator reads them all.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.errors import RuleRefused
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user, deny
from zuzhi.core.uploads import upload_error

from . import nomination_selectors as sel
from .models import (
    CORRECTABLE_FIELDS,
    Cadre,
    CorrectionRequest,
    CorrectionStatus,
    NominationStatus,
    NominationTarget,
    SelfNomination,
)

AUDIT_ORG_PATH = ""
MAX_TEXT = 2000
NOMINATION_FIELDS = ["status", "unit_opinion", "decision_reason"]


def _refuse(field: str, rule: str):
    raise ValidationError({field: [rule]})


def _refuse_rule(rule: str):
    """A refusal of the step itself, not of one input: the API answers with the rule."""
    raise RuleRefused(rule)


def _text(value) -> str:
    return (value or "").replace("\x00", "").strip()


def _locked(nomination: SelfNomination) -> SelfNomination:
    return (
        SelfNomination.objects.select_for_update()
        .select_related("cadre", "cadre__organization")
        .get(pk=nomination.pk)
    )


def _require_seen(actor, nomination: SelfNomination) -> None:
    """The write's scope check: what the actor may not see, they may not touch (logged 404).
    Checked before the transaction, so the denial row is not rolled back with it."""
    if not sel.nomination_visible(user=actor).filter(pk=nomination.pk).exists():
        raise deny(actor, target=nomination, message="试图办理无权查看的干部自荐")


def _audit(actor, nomination, before: dict | None, message: str, action=AuditAction.UPDATE):
    after = snapshot(nomination, NOMINATION_FIELDS)
    audit_record(
        actor=actor,
        action=action,
        target=nomination,
        org_path=AUDIT_ORG_PATH,
        before=before,
        after=after if before is None else {k: after[k] for k in before},
        message=message,
    )


def self_nomination_submit(
    *,
    actor,
    cadre: Cadre,
    target_kind: str,
    target: str,
    statement: str,
    evidence: str = "",
    evidence_file=None,
) -> SelfNomination:
    """A cadre proposes themself (自荐) for a post, a rank or a reserve pool, from their own
    account only."""
    if not getattr(actor, "is_authenticated", False) or cadre.user_id != actor.pk:
        raise deny(actor, target=cadre, message="试图以他人名义提交干部自荐")
    target, statement, evidence = _text(target), _text(statement), _text(evidence)
    errors: dict[str, list[str]] = {}
    if not cadre.is_active:
        _refuse_rule("已不在职的干部不能提交自荐。")
    if target_kind not in NominationTarget.values:
        errors["target_kind"] = ["请选择自荐类别（职务、职级或后备干部库）。"]
    if not target:
        errors["target"] = ["请填写自荐的职位、职级或后备干部库。"]
    elif len(target) > SelfNomination._meta.get_field("target").max_length:
        errors["target"] = ["内容过长。"]
    if not statement:
        errors["statement"] = ["请填写自荐理由。"]
    elif len(statement) > MAX_TEXT:
        errors["statement"] = [f"自荐理由不超过 {MAX_TEXT} 字。"]
    if len(evidence) > MAX_TEXT:
        errors["evidence"] = [f"佐证材料说明不超过 {MAX_TEXT} 字。"]
    if evidence_file is not None and (problem := upload_error(evidence_file)):
        errors["evidence_file"] = [problem]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Cadre.objects.select_for_update().get(pk=cadre.pk)
        if SelfNomination.objects.filter(
            cadre=cadre, target_kind=target_kind, target=target, status__in=sel.OPEN_STATUSES
        ).exists():
            _refuse("target", "对同一职位（职级）已有未办结的自荐，不能重复提交。")
        nomination = SelfNomination(
            cadre=cadre,
            target_kind=target_kind,
            target=target,
            statement=statement,
            evidence=evidence,
        )
        if evidence_file is not None:
            nomination.evidence_file = evidence_file
            nomination.evidence_name = evidence_file.name[:200]
        nomination.full_clean()
        nomination.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=nomination,
            org_path=AUDIT_ORG_PATH,
            after=snapshot(
                nomination, ["cadre", "target_kind", "target", "status", "evidence_name"]
            ),
            message="提交干部自荐",
        )
    return nomination


def self_nomination_withdraw(*, actor, nomination: SelfNomination) -> SelfNomination:
    """The cadre withdraws their own nomination (撤回), before the cadre section decides."""
    _require_seen(actor, nomination)
    with transaction.atomic():
        nomination = _locked(nomination)
        if nomination.cadre.user_id != getattr(actor, "pk", None):
            _refuse_rule("只有自荐人本人可以撤回自荐。")
        if nomination.status not in sel.OPEN_STATUSES:
            _refuse_rule(f"自荐{nomination.get_status_display()}，不能撤回。")
        before = snapshot(nomination, ["status"])
        nomination.status = NominationStatus.WITHDRAWN
        nomination.withdrawn_at = timezone.now()
        nomination.save(update_fields=["status", "withdrawn_at"])
        _audit(actor, nomination, before, "撤回干部自荐")
    return nomination


def self_nomination_unit_opinion(
    *, actor, nomination: SelfNomination, opinion: str
) -> SelfNomination:
    """The unit's leader gives the unit's opinion (单位意见) on a submitted nomination."""
    opinion = _text(opinion)
    _require_seen(actor, nomination)
    with transaction.atomic():
        nomination = _locked(nomination)
        if nomination.cadre.user_id == getattr(actor, "pk", None):
            _refuse_rule("不能对本人的自荐提出单位意见。")
        if not sel.is_unit_leader(user=actor, nomination=nomination):
            _refuse_rule("单位意见由自荐人所在单位的主要负责人提出。")
        if nomination.status != NominationStatus.SUBMITTED:
            _refuse_rule(f"自荐{nomination.get_status_display()}，不能再提出单位意见。")
        if not opinion:
            _refuse("unit_opinion", "请填写单位意见。")
        if len(opinion) > MAX_TEXT:
            _refuse("unit_opinion", f"单位意见不超过 {MAX_TEXT} 字。")
        before = snapshot(nomination, ["status", "unit_opinion"])
        nomination.status = NominationStatus.UNIT_REVIEWED
        nomination.unit_opinion = opinion
        nomination.unit_opinion_by = acting_user(actor)
        nomination.unit_opinion_at = timezone.now()
        nomination.save()
        _audit(actor, nomination, before, "单位对干部自荐提出意见")
    return nomination


def self_nomination_decide(
    *, actor, nomination: SelfNomination, accept: bool, reason: str = ""
) -> SelfNomination:
    """The cadre section accepts a nomination into the watch list (纳入考察视野) or declines
    it with a reason the cadre reads."""
    reason = _text(reason)
    _require_seen(actor, nomination)
    with transaction.atomic():
        nomination = _locked(nomination)
        if not sel.is_cadre_section_of(user=actor, cadre=nomination.cadre):
            _refuse_rule("自荐由县委组织部干部科审核。")
        if nomination.cadre.user_id == getattr(actor, "pk", None):
            _refuse_rule("不能审核本人的自荐。")
        if nomination.status == NominationStatus.SUBMITTED:
            if sel.unit_has_other_leader(nomination=nomination):
                _refuse_rule("自荐须先由所在单位提出意见，再由干部科审核。")
        elif nomination.status != NominationStatus.UNIT_REVIEWED:
            _refuse_rule(f"自荐{nomination.get_status_display()}，不能再审核。")
        if not accept and not reason:
            _refuse("decision_reason", "不予采纳须写明理由，自荐人会看到。")
        if len(reason) > MAX_TEXT:
            _refuse("decision_reason", f"审核意见不超过 {MAX_TEXT} 字。")
        before = snapshot(nomination, ["status", "decision_reason"])
        nomination.status = NominationStatus.ACCEPTED if accept else NominationStatus.DECLINED
        nomination.decision_reason = reason
        nomination.decided_by = acting_user(actor)
        nomination.decided_at = timezone.now()
        nomination.save()
        _audit(
            actor,
            nomination,
            before,
            "干部自荐纳入考察视野" if accept else "干部自荐不予采纳",
        )
    return nomination


# --- correction requests (更正申请) ----------------------------------------------------------


def correction_request_submit(
    *, actor, cadre: Cadre, field: str, requested_value: str, reason: str
) -> CorrectionRequest:
    """A cadre asks the cadre section to correct a field of their own record."""
    if not getattr(actor, "is_authenticated", False) or cadre.user_id != actor.pk:
        raise deny(actor, target=cadre, message="试图为他人的干部信息申请更正")
    requested_value, reason = _text(requested_value), _text(reason)
    errors: dict[str, list[str]] = {}
    if field not in CORRECTABLE_FIELDS:
        errors["field"] = ["请选择要更正的项目。"]
    current = sel.cadre_field_value(cadre, field)
    if not requested_value:
        errors["requested_value"] = ["请填写应更正为的内容。"]
    elif len(requested_value) > 255:
        errors["requested_value"] = ["内容过长，不超过 255 字；详情可写在更正理由中。"]
    elif current and requested_value == current:
        errors["requested_value"] = ["与现记载内容相同，无需更正。"]
    if not reason:
        errors["reason"] = ["请填写更正理由。"]
    elif len(reason) > MAX_TEXT:
        errors["reason"] = [f"更正理由不超过 {MAX_TEXT} 字。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Cadre.objects.select_for_update().get(pk=cadre.pk)
        if CorrectionRequest.objects.filter(
            cadre=cadre, field=field, status=CorrectionStatus.PENDING
        ).exists():
            _refuse("field", "该项目已有待处理的更正申请。")
        request = CorrectionRequest.objects.create(
            cadre=cadre,
            field=field,
            current_value=current,
            requested_value=requested_value,
            reason=reason,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=request,
            org_path=AUDIT_ORG_PATH,
            after=snapshot(request, ["cadre", "field", "current_value", "requested_value"]),
            message="申请更正干部信息",
        )
    return request


def correction_request_handle(
    *, actor, correction: CorrectionRequest, corrected: bool, reply: str = ""
) -> CorrectionRequest:
    """The cadre section closes a request: corrected (已更正: the record was corrected through
    the registry's edit) or refused (不予更正, with the reason the cadre reads)."""
    reply = _text(reply)
    if not CorrectionRequest.objects.visible_to(actor).filter(pk=correction.pk).exists():
        raise deny(actor, target=correction, message="试图处理无权查看的更正申请")
    with transaction.atomic():
        correction = (
            CorrectionRequest.objects.select_for_update()
            .select_related("cadre", "cadre__organization")
            .get(pk=correction.pk)
        )
        if not sel.is_cadre_section_of(user=actor, cadre=correction.cadre):
            _refuse_rule("更正申请由县委组织部干部科处理。")
        if correction.cadre.user_id == getattr(actor, "pk", None):
            _refuse_rule("不能处理本人的更正申请。")
        if correction.status != CorrectionStatus.PENDING:
            _refuse_rule(f"更正申请{correction.get_status_display()}，不能再处理。")
        if not corrected and not reply:
            _refuse("reply", "不予更正须写明理由，申请人会看到。")
        if len(reply) > MAX_TEXT:
            _refuse("reply", f"处理意见不超过 {MAX_TEXT} 字。")
        before = snapshot(correction, ["status", "reply"])
        correction.status = CorrectionStatus.CORRECTED if corrected else CorrectionStatus.REFUSED
        correction.reply = reply
        correction.handled_by = acting_user(actor)
        correction.handled_at = timezone.now()
        correction.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=correction,
            org_path=AUDIT_ORG_PATH,
            before=before,
            after=snapshot(correction, ["status", "reply"]),
            message=f"更正申请：{correction.get_status_display()}",
        )
    return correction
