"""Results (结果): computing the draft version, publishing it, opening a correction, and the
supervision cases (督办) of black-listed entrants.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string

from zuzhi.core.models import AuditAction

from ..models import (
    CaseStatus,
    Contest,
    ContestStatus,
    ListMark,
    ResultRow,
    ResultVersion,
    SupervisionCase,
    VersionStatus,
)
from ..rules import (
    audit,
    require_manager,
)
from ..selectors.standings import contest_standings
from ..voting.selectors import vote_target_forget


def result_compute(*, actor, contest: Contest) -> ResultVersion:
    """Compute the standings into the draft version (计算结果); refused with every reason when
    scores are missing or a rule cannot be applied."""
    require_manager(actor, contest)
    if contest.status not in (ContestStatus.RUNNING, ContestStatus.REVISING):
        raise ValidationError("考评进行中或更正中才能计算结果。")
    computed = contest_standings(contest=contest)
    if computed.problems:
        raise ValidationError(computed.problems)
    with transaction.atomic():
        Contest.objects.select_for_update().filter(pk=contest.pk).first()
        version = contest.versions.filter(status=VersionStatus.DRAFT).first()
        if version is None:
            number = (contest.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version = ResultVersion.objects.create(
                contest=contest, number=number, reason=_pending_reason(contest)
            )
        version.rows.all().delete()
        ResultRow.objects.bulk_create(ResultRow(version=version, **row) for row in computed.rows)
        version.save()
        audit(
            actor,
            AuditAction.UPDATE,
            version,
            contest,
            message=f"计算结果（第 {version.number} 版）",
            target_repr=f"{contest.name} 第 {version.number} 版结果",
        )
    return version


def _pending_reason(contest: Contest) -> str:
    return contest.revision_reason if contest.status == ContestStatus.REVISING else ""


def result_publish(*, actor, version: ResultVersion) -> ResultVersion:
    """Publish a draft result (发布结果): it and every input become read-only; the version it
    corrects stays visible as superseded; each black-listed entrant gets a supervision case."""
    contest = version.contest
    require_manager(actor, contest)
    with transaction.atomic():
        Contest.objects.select_for_update().filter(pk=contest.pk).first()
        version = ResultVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != VersionStatus.DRAFT:
            raise ValidationError("只有草稿结果可以发布。")
        # What is published must be what the data say now: values, votes or approvals that
        # arrived after "计算结果" would otherwise be left out and then locked.
        fresh = contest_standings(contest=contest)
        stored = {
            r.entrant_id: (r.final, r.rank, r.list_mark, r.selected, r.tier)
            for r in version.rows.all()
        }
        now = {
            r["entrant_id"]: (r["final"], r["rank"], r["list_mark"], r["selected"], r["tier"])
            for r in fresh.rows
        }
        if fresh.problems or stored != now:
            raise ValidationError("计算结果之后数据又有变化，请重新计算结果后再发布。")
        contest.versions.filter(status=VersionStatus.PUBLISHED).update(
            status=VersionStatus.SUPERSEDED
        )
        version.status = VersionStatus.PUBLISHED
        version.published_at, version.published_by = timezone.now(), actor
        version.save()
        vote_target_forget(contest_id=contest.pk)
        contest.status = ContestStatus.PUBLISHED
        contest.revision_reason = ""
        contest.save(update_fields=["status", "revision_reason"])
        deadline = timezone.localdate() + timedelta(days=contest.supervision_days)
        listed = set(
            version.rows.filter(list_mark=ListMark.BLACK).values_list("entrant_id", flat=True)
        )
        # A correction that takes an entrant off the black list closes its open case.
        contest.cases.filter(status=CaseStatus.OPEN).exclude(entrant_id__in=listed).update(
            status=CaseStatus.CLOSED,
            resolution=f"第 {version.number} 版结果更正后不再列入黑榜。",
            closed_at=timezone.now(),
        )
        open_cases = set(
            contest.cases.filter(status=CaseStatus.OPEN).values_list("entrant_id", flat=True)
        )
        SupervisionCase.objects.bulk_create(
            SupervisionCase(
                contest=contest, version=version, entrant_id=e, owner=actor, deadline=deadline
            )
            for e in listed
            if e not in open_cases
        )
        audit(
            actor,
            AuditAction.UPDATE,
            version,
            contest,
            after={"status": "published", "number": version.number},
            target_repr=f"{contest.name} 第 {version.number} 版结果",
        )
        # Apps built on contests act on a published result (the cadre triggers read bottom
        # places) without contests knowing them: dotted paths in settings.
        for hook in settings.ZUZHI_RESULT_PUBLISHED_HOOKS:
            import_string(hook)(version=version)
    return version


def result_revise(*, actor, contest: Contest, reason: str) -> Contest:
    """Open a correction of a published result (发起更正): inputs unlock; the next computed
    result is a new version carrying the reason, and the published one stays until replaced."""
    require_manager(actor, contest)
    if contest.status != ContestStatus.PUBLISHED:
        raise ValidationError("只有已发布的结果可以更正。")
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请写明更正理由。"]})
    with transaction.atomic():
        vote_target_forget(contest_id=contest.pk)
        contest.status = ContestStatus.REVISING
        contest.revision_reason = reason.strip()[:200]
        contest.save(update_fields=["status", "revision_reason"])
        audit(
            actor,
            AuditAction.UPDATE,
            contest,
            contest,
            before={"status": "published"},
            after={"status": "revising"},
            message=contest.revision_reason,
        )
    return contest


def case_close(*, actor, case: SupervisionCase, resolution: str) -> SupervisionCase:
    """Close a supervision case (督办办结) with what was done. The organizer closes it, after
    the township reports: a black-listed village does not sign off its own supervision."""
    require_manager(actor, case.contest)
    if case.status != CaseStatus.OPEN:
        raise ValidationError("该督办事项已经办结。")
    if not (resolution or "").strip():
        raise ValidationError({"resolution": ["请填写整改情况。"]})
    with transaction.atomic():
        case.status, case.resolution, case.closed_at = (
            CaseStatus.CLOSED,
            resolution.strip(),
            timezone.now(),
        )
        case.save()
        audit(
            actor,
            AuditAction.UPDATE,
            case,
            case.contest,
            before={"status": "open"},
            after={"status": "closed", "resolution": case.resolution},
        )
    return case
