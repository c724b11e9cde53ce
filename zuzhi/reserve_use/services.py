"""Writes of reserve use (后备力量的“用”): work assignments (压担子) and the hand-over at a
village election (换届选举交接), each scope-checked, validated and audited in one transaction.

A reserve's status changes only through reserves.lifecycle (`reserve_appointed`); a branch
committee seat only through orgs.committee (`committee_appoint`)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import audit_bulk_record, audit_record, changed_fields, snapshot
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user, path_in
from zuzhi.members.models import Member
from zuzhi.members.services import MEMBER_ORG_TYPES
from zuzhi.orgs.committee import committee_appoint
from zuzhi.orgs.models import CommitteePosition, Organization
from zuzhi.reserves.lifecycle import reserve_appointed
from zuzhi.reserves.models import ReserveCandidate, ReserveStatus
from zuzhi.reserves.scoping import VILLAGE_CATEGORIES, require_reserve_scope

from .models import (
    AssignmentKind,
    AssignmentRating,
    ElectedBody,
    ElectedReserve,
    ReserveAssignment,
    VillageCommitteeMember,
    VillageCommitteePosition,
    VillageElection,
)

ASSIGNMENT_FIELDS = ("kind", "title", "started_on", "ended_on")
RESULT_FIELDS = ("performance", "rating", "ended_on")


def _text(value) -> str:
    return str(value or "").replace("\x00", "").strip()


def _not_in_pool(candidate: ReserveCandidate) -> str:
    return (
        f"{candidate.name}当前为“{candidate.get_status_display()}”，"
        "只有已入库的后备力量才能压担子、作为后备力量当选。"
    )


# --- assignments (压担子) ---------------------------------------------------------------------
def _assignment_clean(*, assignment: ReserveAssignment) -> None:
    errors: dict[str, list[str]] = {}
    assignment.title = _text(assignment.title)
    assignment.performance = _text(assignment.performance)
    if assignment.kind not in AssignmentKind.values:
        errors["kind"] = ["请选择任务类别。"]
    if not assignment.title:
        errors["title"] = ["请填写任务名称。"]
    start, end = assignment.started_on, assignment.ended_on
    if start is None:
        errors["started_on"] = ["请填写开始日期。"]
    elif not is_plausible(start):
        errors["started_on"] = [OUT_OF_RANGE]
    if end is not None and not is_plausible(end):
        errors["ended_on"] = [OUT_OF_RANGE]
    elif end is not None and start is not None and end < start:
        errors["ended_on"] = ["结束日期不能早于开始日期。"]
    if assignment.rating and assignment.rating not in AssignmentRating.values:
        errors["rating"] = ["评价须为好、较好或一般。"]
    elif assignment.rating and not assignment.performance:
        errors["rating"] = ["请先填写工作实绩，再作评价。"]
    if errors:
        raise ValidationError(errors)
    assignment.full_clean(exclude=["candidate"])


def assignment_create(*, actor, candidate: ReserveCandidate, data: dict) -> ReserveAssignment:
    """Give a reserve in the pool a task of real work (压担子)."""
    require_reserve_scope(
        actor,
        candidate.village.path,
        target=candidate,
        message="试图给权限范围以外的后备力量压担子",
    )
    assignment = ReserveAssignment(
        candidate=candidate,
        **{k: v for k, v in data.items() if k in ASSIGNMENT_FIELDS},
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    with transaction.atomic():
        # Locked: an exit or an appointment recorded meanwhile is seen here.
        locked = ReserveCandidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.status != ReserveStatus.IN_POOL:
            raise ValidationError({"candidate": [_not_in_pool(locked)]})
        _assignment_clean(assignment=assignment)
        assignment.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=assignment,
            org_path=candidate.village.path,
            after=snapshot(assignment),
            message=f"给{candidate.name}压担子：{assignment.title}",
        )
    return assignment


def assignment_record_result(
    *, actor, assignment: ReserveAssignment, data: dict
) -> ReserveAssignment:
    """Record what the reserve did (工作实绩), the end date and the township's rating."""
    path = assignment.candidate.village.path
    require_reserve_scope(actor, path, target=assignment)
    with transaction.atomic():
        assignment = ReserveAssignment.objects.select_for_update().get(pk=assignment.pk)
        before = snapshot(assignment)
        for key in RESULT_FIELDS:
            if key in data:
                setattr(assignment, key, data[key] if key == "ended_on" else _text(data[key]))
        assignment.updated_by = acting_user(actor)
        _assignment_clean(assignment=assignment)
        assignment.save()
        old, new = changed_fields(before, snapshot(assignment))
        old.pop("updated_at", None), new.pop("updated_at", None)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=assignment,
            org_path=path,
            before=old,
            after=new,
            message="记录压担子工作实绩",
        )
    return assignment


# --- the election hand-over (换届选举交接) ------------------------------------------------------
@dataclass(frozen=True)
class ElectedInput:
    """One reserve elected to one seat; a reserve may take a seat on each committee (交叉任职,
    书记、主任“一肩挑”)."""

    candidate: ReserveCandidate
    body: str  # ElectedBody
    position: str  # CommitteePosition or VillageCommitteePosition


def member_branch(*, candidate: ReserveCandidate, village: Organization):
    """The branch whose committee the reserve can be elected to: their own Party branch, when
    it is the village's organization or one under it (a village Party committee or general
    branch holds branches). The member record is found by ID number when the reserve joined
    the Party after being nominated. (None, member) when there is no such branch."""
    member = candidate.member or (
        Member.objects.select_related("organization")
        .filter(id_number_index=candidate.id_number_index)
        .first()
    )
    if member is None:
        return None, None
    branch = member.organization
    if branch.org_type in MEMBER_ORG_TYPES and path_in(branch.path, village.path):
        return branch, member
    return None, member


def _person_errors(*, village: Organization, elected: list[ElectedInput]) -> list[str]:
    """Each refused person with the rule, in Chinese; nothing is written yet."""
    errors, seen = [], set()
    committee_seats = {p: CommitteePosition(p).label for p in CommitteePosition.values}
    village_seats = {p: VillageCommitteePosition(p).label for p in VillageCommitteePosition.values}
    # Matched by blind index (one index per ID number in every register): nothing decrypted.
    current = set(
        VillageCommitteeMember.objects.filter(
            village=village,
            ended_on__isnull=True,
            id_number_index__in=[e.candidate.id_number_index for e in elected],
        ).values_list("id_number_index", flat=True)
    )
    for e in elected:
        c = e.candidate
        if (c.pk, e.body) in seen:
            errors.append(f"{c.name}在同一组织中只能当选一个职务。")
            continue
        seen.add((c.pk, e.body))
        if c.village_id != village.pk:
            errors.append(f"{c.name}不是{village.name}的后备力量。")
        elif c.status != ReserveStatus.IN_POOL:
            errors.append(_not_in_pool(c))
        elif e.body == ElectedBody.BRANCH_COMMITTEE:
            if e.position not in committee_seats:
                errors.append(f"{c.name}：请选择支部委员会职务。")
            elif member_branch(candidate=c, village=village)[0] is None:
                errors.append(
                    f"{c.name}不是{village.name}党组织的党员，不能当选支部委员（可当选村民委员会成员）。"
                )
        elif e.body == ElectedBody.VILLAGE_COMMITTEE:
            if e.position not in village_seats:
                errors.append(f"{c.name}：请选择村民委员会职务。")
            elif c.id_number_index in current:
                errors.append(f"{c.name}已在本村村民委员会任职。")
        else:
            errors.append(f"{c.name}：请选择当选的组织（支部委员会或村民委员会）。")
    return errors


def _seat(*, actor, election: VillageElection, e: ElectedInput) -> ElectedReserve:
    c, village, on = e.candidate, election.village, election.held_on
    result = ElectedReserve(election=election, candidate=c, body=e.body, position=e.position)
    if e.body == ElectedBody.BRANCH_COMMITTEE:
        branch, member = member_branch(candidate=c, village=village)
        result.committee_seat = committee_appoint(
            actor=actor, organization=branch, member=member, position=e.position, started_on=on
        )
    else:
        term = VillageCommitteeMember(
            village=village,
            name=c.name,
            id_number=c.id_number,
            position=e.position,
            started_on=on,
            from_reserve=c,
            created_by=acting_user(actor),
        )
        term.full_clean(exclude=["village", "from_reserve"])
        term.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=term,
            org_path=village.path,
            after=snapshot(term),
            message=f"{c.name}当选村民委员会{term.get_position_display()}",
        )
        result.village_committee_member = term
    result.save()
    return result


def election_record(
    *,
    actor,
    village: Organization,
    held_on: datetime.date | None,
    elected: list[ElectedInput],
    note: str = "",
) -> VillageElection:
    """Record a village's 两委 election and hand the elected reserves over (换届选举交接): each
    takes their seat (a branch committee seat, or a village committee term) and leaves the
    pool as appointed, with a history event. Everything or nothing: one refused person and
    no one is recorded; the error names each refused person."""
    require_reserve_scope(
        actor, village.path, target=village, message="试图登记权限范围以外村的换届选举"
    )
    for e in elected:
        require_reserve_scope(actor, e.candidate.village.path, target=e.candidate)
    errors: dict[str, list[str]] = {}
    if village.unit_category not in VILLAGE_CATEGORIES:
        errors["village"] = ["换届选举须登记在行政村或社区。"]
    if held_on is None:
        errors["held_on"] = ["请填写选举日期。"]
    elif not is_plausible(held_on):
        errors["held_on"] = [OUT_OF_RANGE]
    elif held_on > timezone.localdate():
        errors["held_on"] = ["选举日期不能晚于今天。"]
    if not elected:
        errors["elected"] = ["请至少选择一名当选的后备力量。"]
    elif "village" not in errors:
        people = _person_errors(village=village, elected=elected)
        if people:
            errors["elected"] = people
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        election = VillageElection(
            village=village, held_on=held_on, note=_text(note), recorded_by=acting_user(actor)
        )
        election.full_clean(exclude=["village"])
        election.save()
        results, refused = [], []
        for e in elected:
            try:
                with transaction.atomic():  # a savepoint: a refusal leaves nothing half-done
                    results.append(_seat(actor=actor, election=election, e=e))
            except ValidationError as exc:
                refused.append(f"{e.candidate.name}：{'；'.join(exc.messages)}")
        by_candidate: dict[int, list[ElectedReserve]] = {}
        for r in results:
            by_candidate.setdefault(r.candidate_id, []).append(r)
        for seats in by_candidate.values():
            c = seats[0].candidate
            label = "、".join(f"{r.get_body_display()}{r.position_label}" for r in seats)
            try:
                with transaction.atomic():
                    reserve_appointed(
                        actor=actor, candidate=c, on=held_on, note=f"换届当选{label}"[:200]
                    )
            except ValidationError as exc:
                refused.append(f"{c.name}：{'；'.join(exc.messages)}")
        if refused:
            # Raised inside the transaction: the seats already taken go back with the election.
            raise ValidationError({"elected": refused})
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=election,
            org_path=village.path,
            after=snapshot(election)
            | {
                "elected": [
                    f"{r.candidate.name}：{r.get_body_display()}{r.position_label}" for r in results
                ]
            },
            message="登记村“两委”换届选举交接",
        )
        audit_bulk_record(
            actor=actor,
            action=AuditAction.CREATE,
            items=[(r, village.path, snapshot(r)) for r in results],
        )
    return election
