"""Writes of the five triggers (五个即调): raising cases from the causes the rules find, and
the cadre section's decision. Evaluation runs whenever a trigger's data change (the services
that change them call `triggers_evaluate` for their cadres; a published result calls
`on_result_published`) and every day from `zuzhi evaluate-triggers`."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zuzhi.cadres.models.scoping import require_cadre_section
from zuzhi.core.audit import audit_bulk_record, audit_record, snapshot
from zuzhi.core.dates import require_plausible_dates
from zuzhi.core.errors import RuleRefused
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import SYSTEM, acting_user

from .models import AdjustmentCase, CaseCause, CaseStatus, Decision, Trigger
from .rules import thresholds
from .triggers import RULES, Cause

# Audit rows of cases are the audit administrator's only (ZUZHI_AUDIT_ADMIN_ONLY_TYPES).
AUDIT_ORG_PATH = ""
MAX_REASON = 2000
# SQLite's default limit of bound parameters is far above this; it keeps IN lists small.
CHUNK = 900


@dataclass
class Evaluation:
    """What one evaluation did: cases opened, and causes that joined an open case."""

    opened: list[AdjustmentCase] = field(default_factory=list)
    joined: int = 0


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _known_causes(causes: list[Cause]) -> set[tuple[str, str, str]]:
    subjects = sorted({c.subject for c in causes})
    triggers = sorted({c.trigger for c in causes})
    known = set()
    for part in _chunks(subjects):
        known.update(
            CaseCause.objects.filter(trigger__in=triggers, subject__in=part).values_list(
                "trigger", "subject", "key"
            )
        )
    return known


def _open_cases(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], AdjustmentCase]:
    subjects = sorted({s for _, s in pairs})
    found = {}
    for part in _chunks(subjects):
        for case in AdjustmentCase.objects.select_for_update().filter(
            status=CaseStatus.OPEN, subject__in=part
        ):
            if (case.trigger, case.subject) in pairs:
                found[case.trigger, case.subject] = case
    return found


def _title(texts: list[str]) -> str:
    title = "；".join(texts)
    return title if len(title) <= 255 else title[:254] + "…"


def cases_raise(*, actor=SYSTEM, causes: list[Cause]) -> Evaluation:
    """Open a case for each new cause, or add it to the open case of its subject and
    trigger: one open case per subject and trigger, and a cause (trigger, subject, key) is
    raised once ever. One transaction; audited."""
    result = Evaluation()
    unique = {(c.trigger, c.subject, c.key): c for c in causes}
    if not unique:
        return result
    with transaction.atomic():
        known = _known_causes(list(unique.values()))
        new = [c for k, c in sorted(unique.items()) if k not in known]
        if not new:
            return result
        cases = _open_cases({(c.trigger, c.subject) for c in new})
        by_pair: dict[tuple[str, str], list[Cause]] = {}
        for cause in new:
            by_pair.setdefault((cause.trigger, cause.subject), []).append(cause)
        fresh = [
            AdjustmentCase(
                trigger=trigger,
                subject=subject,
                cadre_id=found[0].cadre_id,
                team_post_id=found[0].team_post_id,
                organization_id=found[0].organization_id,
                title=_title([c.text for c in found]),
                opened_by=acting_user(actor),
            )
            for (trigger, subject), found in by_pair.items()
            if (trigger, subject) not in cases
        ]
        result.opened = AdjustmentCase.objects.bulk_create(fresh)
        joined = list(cases.values())
        for case in joined:
            case.title = _title(
                [case.title] + [c.text for c in by_pair[case.trigger, case.subject]]
            )
        AdjustmentCase.objects.bulk_update(joined, ["title"])
        cases.update({(c.trigger, c.subject): c for c in result.opened})
        CaseCause.objects.bulk_create(
            CaseCause(
                case=cases[c.trigger, c.subject],
                trigger=c.trigger,
                subject=c.subject,
                key=c.key,
                text=c.text,
                occurred_on=c.occurred_on,
            )
            for c in new
        )
        result.joined = sum(len(by_pair[c.trigger, c.subject]) for c in joined)

        # One row per case opened, with its causes; one per open case a cause joined.
        def causes_of(case):
            return [{"key": c.key, "text": c.text} for c in by_pair[case.trigger, case.subject]]

        audit_bulk_record(
            actor=actor,
            action=AuditAction.CREATE,
            items=[
                (case, AUDIT_ORG_PATH, {"title": case.title, "causes": causes_of(case)})
                for case in result.opened
            ],
        )
        audit_bulk_record(
            actor=actor,
            action=AuditAction.UPDATE,
            items=[
                (case, AUDIT_ORG_PATH, {"title": case.title, "causes_added": causes_of(case)})
                for case in joined
            ],
        )
    return result


def triggers_evaluate(
    *,
    actor=SYSTEM,
    today: datetime.date | None = None,
    cadre_ids=None,
    triggers: list[str] | None = None,
) -> Evaluation:
    """Run the rules (all five, or `triggers`) for every cadre or for `cadre_ids`, and raise
    what they find. A race with another evaluation loses to it and runs again once."""
    today = today or timezone.localdate()
    th = thresholds()
    causes = []
    for trigger in triggers or Trigger.values:
        causes += RULES[trigger](today=today, th=th, cadre_ids=cadre_ids)
    try:
        return cases_raise(actor=actor, causes=causes)
    except IntegrityError:
        return cases_raise(actor=actor, causes=causes)


def on_result_published(*, version) -> None:
    """A contest's or index's result was published: its bottom places may open cases."""
    triggers_evaluate(triggers=[Trigger.BOTTOM])


def case_decide(
    *,
    actor,
    case: AdjustmentCase,
    decision: str,
    reason: str,
    decided_on: datetime.date | None = None,
) -> AdjustmentCase:
    """The cadre section's decision on a case (研判处理): adjust the post, remove, admonish,
    or keep with a stated reason. The case closes; a later new cause opens a new one."""
    require_cadre_section(actor, case.organization.path, target=case)
    reason = (reason or "").replace("\x00", "").strip()
    decided_on = decided_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if decision not in Decision.values:
        errors["decision"] = ["请选择处理决定。"]
    if decision == Decision.KEEP and not reason:
        errors["decision_reason"] = ["保留现职须写明理由。"]
    elif len(reason) > MAX_REASON:
        errors["decision_reason"] = [f"理由不超过 {MAX_REASON} 字。"]
    if errors:
        raise ValidationError(errors)
    require_plausible_dates(decided_on=decided_on)
    with transaction.atomic():
        case = AdjustmentCase.objects.select_for_update().get(pk=case.pk)
        if case.status != CaseStatus.OPEN:
            raise RuleRefused("该案件已处理，不能再次决定。")
        before = snapshot(case, ["status", "decision", "decision_reason", "decided_on"])
        case.status = CaseStatus.DECIDED
        case.decision = decision
        case.decision_reason = reason
        case.decided_on = decided_on
        case.decided_by = acting_user(actor)
        case.save(
            update_fields=["status", "decision", "decision_reason", "decided_on", "decided_by"]
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=case,
            org_path=AUDIT_ORG_PATH,
            before=before,
            after=snapshot(case, ["status", "decision", "decision_reason", "decided_on"]),
            message=f"调整研判：{case.get_decision_display()}",
        )
    return case
