"""The way of a reserve through 选育管用 (村级后备力量的进出): township first review, the county
joint review, the pool, priority, exit, and election into the village committee. Each step
changes the status, writes a history event (ReserveEvent) and the audit row, in one transaction.

Which steps follow which is STEPS; the county joint review itself lives in joint_reviews and
calls `on_round_closed` when a round ends (settings.ZUZHI_JOINT_REVIEW_CLOSED_HOOKS)."""

import datetime
import operator
from functools import reduce

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from zuzhi.core.audit import audit_bulk_record
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user, subtree_q

from .models import EventKind, ReserveCandidate, ReserveEvent, ReserveStatus
from .scoping import require_reserve_scope

S = ReserveStatus
SOURCE_TYPE = "reserves.candidate"  # how a joint review item names the candidate it came from

# The statuses each step starts from.
STEPS = {
    EventKind.TOWNSHIP_APPROVED: (S.CANDIDATE, S.RETURNED),
    EventKind.RETURNED: (S.CANDIDATE, S.TOWNSHIP_APPROVED),
    EventKind.SENT_TO_REVIEW: (S.TOWNSHIP_APPROVED,),
    EventKind.PRIORITY: (S.IN_POOL,),
    EventKind.PRIORITY_ENDED: (S.IN_POOL,),
    EventKind.KEPT: (S.IN_POOL,),
    EventKind.EXITED: (S.CANDIDATE, S.RETURNED, S.TOWNSHIP_APPROVED, S.IN_POOL),
    EventKind.APPOINTED: (S.IN_POOL,),
}
# The status each step leaves behind (None: unchanged).
RESULT = {
    EventKind.TOWNSHIP_APPROVED: S.TOWNSHIP_APPROVED,
    EventKind.RETURNED: S.RETURNED,
    EventKind.SENT_TO_REVIEW: S.IN_REVIEW,
    EventKind.REVIEW_PASSED: S.IN_POOL,
    EventKind.REVIEW_REJECTED: S.EXITED,
    EventKind.REVIEW_UNANSWERED: S.TOWNSHIP_APPROVED,
    EventKind.EXITED: S.EXITED,
    EventKind.APPOINTED: S.APPOINTED,
}
LEAVES_POOL = (EventKind.EXITED, EventKind.APPOINTED)
NOTE_MAX = 200  # ReserveEvent.note and ReserveCandidate.status_reason
NEEDS_REASON = {EventKind.RETURNED: "退回须写明原因。", EventKind.EXITED: "退出须写明原因。"}


def _apply(
    *,
    actor,
    candidates: list[ReserveCandidate],
    kind: str,
    on: datetime.date,
    note: str = "",
    check_scope: bool = True,
) -> list[ReserveCandidate]:
    """Take `candidates` one step; every one must be in scope and in a status the step starts
    from, or nothing changes and the error names each refused person."""
    note = (note or "").strip()
    if kind in NEEDS_REASON and not note:
        raise ValidationError({"reason": [NEEDS_REASON[kind]]})
    if len(note) > NOTE_MAX:
        raise ValidationError({"reason": [f"原因或说明不超过 {NOTE_MAX} 字。"]})
    if check_scope:
        for c in candidates:
            require_reserve_scope(actor, c.village.path, target=c)
    with transaction.atomic():
        locked = list(
            ReserveCandidate.objects.select_for_update()
            .filter(pk__in=[c.pk for c in candidates])
            .select_related("village")
        )
        allowed = STEPS.get(kind)
        if allowed is not None:
            refused = [c for c in locked if c.status not in allowed]
            if refused:
                label = EventKind(kind).label
                raise ValidationError(
                    [f"{c.name}当前为“{c.get_status_display()}”，不能{label}。" for c in refused]
                )
        user = acting_user(actor)
        status = RESULT.get(kind)
        items = []
        for c in locked:
            before = {"status": c.status, "priority": c.priority}  # the bulk audit's "from"
            if status is not None:
                c.status, c.status_changed_on = status, on
                c.status_reason = note if kind in NEEDS_REASON else ""
            if kind in (EventKind.PRIORITY, EventKind.PRIORITY_ENDED):
                c.priority = kind == EventKind.PRIORITY
            if kind in (EventKind.EXITED, EventKind.APPOINTED, EventKind.REVIEW_REJECTED):
                c.priority = False
            if kind == EventKind.REVIEW_REJECTED:
                c.status_reason = "县级联审未通过"
            c.updated_by = user
            after = {"status": c.status, "priority": c.priority, "note": note}
            items.append((c, c.village.path, after | {"from": before, "step": kind}))
        ReserveCandidate.objects.bulk_update(
            locked, ["status", "status_changed_on", "status_reason", "priority", "updated_by"]
        )
        ReserveEvent.objects.bulk_create(
            ReserveEvent(candidate=c, kind=kind, on=on, note=note, recorded_by=user) for c in locked
        )
        audit_bulk_record(actor=actor, action=AuditAction.UPDATE, items=items)
        if kind in LEAVES_POOL:
            # Apps that keep a reserve's ongoing work (their mentor pair) close it.
            for hook in settings.ZUZHI_RESERVE_LEFT_POOL_HOOKS:
                import_string(hook)(
                    actor=actor, candidates=locked, on=on, reason=note or EventKind(kind).label
                )
    return locked


def _today(on):
    return on or timezone.localdate()


def township_review(
    *, actor, candidates: list[ReserveCandidate], approve: bool, reason: str = "", on=None
) -> list[ReserveCandidate]:
    """The township committee's first review (乡镇党委初审): pass the names on to the county, or
    return them with a reason the clerk reads and answers by correcting the record."""
    kind = EventKind.TOWNSHIP_APPROVED if approve else EventKind.RETURNED
    return _apply(actor=actor, candidates=candidates, kind=kind, on=_today(on), note=reason)


def candidates_send_to_review(
    *, actor, candidates: list[ReserveCandidate], title: str, deadline: datetime.date, on=None
):
    """Send names the townships passed to the county joint review (报送县级联审): one round
    of kind "reserve" holding them, the candidates waiting in it until it closes."""
    from zuzhi.joint_reviews import selectors as review_selectors
    from zuzhi.joint_reviews import services as review_services
    from zuzhi.joint_reviews.models import RoundKind

    if not candidates:
        raise ValidationError({"items": ["请勾选报送联审的人选。"]})
    county = review_selectors.round_county(user=actor)
    with transaction.atomic():
        moved = _apply(
            actor=actor, candidates=candidates, kind=EventKind.SENT_TO_REVIEW, on=_today(on)
        )
        review_round = review_services.round_open(
            actor=actor,
            kind=RoundKind.RESERVE,
            organization=county,
            title=title,
            deadline=deadline,
            items=[
                review_services.ItemInput(
                    name=c.name,
                    id_number=c.id_number,
                    village=c.village,
                    source_type=SOURCE_TYPE,
                    source_id=str(c.pk),
                )
                for c in moved
            ],
        )
    return review_round


def on_round_closed(*, actor, review_round) -> None:
    """A closed round's outcome reaches its reserves: passed by every department → the pool;
    rejected by any → out, without the reason; not answered by all → back to wait for the next
    round (a passed deadline decides nothing by itself). An item moves only the candidate it
    names, as the same person (ID number), waiting in review, in the round's county."""
    from zuzhi.joint_reviews.models import Outcome
    from zuzhi.joint_reviews.selectors import round_items

    by_outcome: dict[str, list[Q]] = {}
    rows = (
        round_items(review_round=review_round)
        .filter(source_type=SOURCE_TYPE)
        .values_list("source_id", "id_number_index", "outcome")
    )
    for source_id, index, outcome in rows:
        if source_id.isdigit():
            by_outcome.setdefault(outcome, []).append(Q(pk=int(source_id), id_number_index=index))
    kinds = {
        Outcome.PASSED: EventKind.REVIEW_PASSED,
        Outcome.REJECTED: EventKind.REVIEW_REJECTED,
        Outcome.PENDING: EventKind.REVIEW_UNANSWERED,
    }
    today = timezone.localdate()
    county = subtree_q(review_round.organization.path, "village__path")
    for outcome, people in by_outcome.items():
        waiting = list(
            ReserveCandidate.objects.filter(reduce(operator.or_, people), county)
            .filter(status=S.IN_REVIEW)
            .select_related("village")
        )
        if waiting:
            _apply(
                actor=actor,
                candidates=waiting,
                kind=kinds[outcome],
                on=today,
                note=review_round.title,
                check_scope=False,
            )


def reserve_priority_set(
    *, actor, candidate: ReserveCandidate, priority: bool, note: str = "", on=None
) -> ReserveCandidate:
    """Mark a reserve in the pool for priority training (重点培养), or end it."""
    kind = EventKind.PRIORITY if priority else EventKind.PRIORITY_ENDED
    return _apply(actor=actor, candidates=[candidate], kind=kind, on=_today(on), note=note)[0]


def reserve_keep(*, actor, candidate: ReserveCandidate, note: str = "", on=None):
    """Keep a reserve in the pool after an appraisal (保留), recorded in the history."""
    return _apply(
        actor=actor, candidates=[candidate], kind=EventKind.KEPT, on=_today(on), note=note
    )[0]


def reserve_exit(*, actor, candidate: ReserveCandidate, reason: str, on=None) -> ReserveCandidate:
    """Take a reserve out (退出), with the reason: the weakest of a half-year appraisal, moved
    away, no longer willing… They may be nominated again later."""
    return _apply(
        actor=actor, candidates=[candidate], kind=EventKind.EXITED, on=_today(on), note=reason
    )[0]


def reserve_appointed(
    *, actor, candidate: ReserveCandidate, note: str = "", on=None
) -> ReserveCandidate:
    """A reserve elected into the village committee (当选村“两委”成员) leaves the pool as used."""
    return _apply(
        actor=actor, candidates=[candidate], kind=EventKind.APPOINTED, on=_today(on), note=note
    )[0]
