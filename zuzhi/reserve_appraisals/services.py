"""Writes of the reserves' half-year appraisal (后备力量半年考评).

Opening, the inspection notes, closing and the outcomes are the reserve managers' (township
staff for their township, county staff for all; the logged 404 for anyone else). Casting
needs no login: a one-time code of `zuzhi.appraisal` (random, shown once, stored as a hash)
is the right to vote. The code is marked used by a conditional UPDATE in the transaction that
stores the ballot, so the database lets one code vote once; the ballot keeps the grades only,
nothing that ties it to the code or the voter. An outcome changes the reserve only through
`zuzhi.reserves.lifecycle`, which writes its history event and audit row."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from zuzhi.appraisal.services import ballot_code_digest, ballot_codes_new
from zuzhi.core.audit import audit_record
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible, require_plausible_year
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user, subtree_q
from zuzhi.orgs.models import Organization
from zuzhi.reserves import lifecycle
from zuzhi.reserves.models import ReserveCandidate, ReserveStatus
from zuzhi.reserves.scoping import TOWNSHIP_CATEGORIES, require_reserve_scope
from zuzhi.team_appraisal.rules import rounded

from . import rules, selectors
from .models import (
    HalfYear,
    Outcome,
    ReserveAppraisal,
    ReserveAppraisalStatus,
    ReserveAppraisalSubject,
    ReserveBallot,
    ReserveBallotCode,
)

S = ReserveAppraisalStatus
SCOPE_REFUSED = "试图办理权限范围以外的后备力量考评"
MAX_CODES = 1000
CODE_REFUSED = "选票码无效或已经使用。"
CLOSED_REFUSED = "本次考评的民主测评已经结束，不再接受投票。"
MAX_REASON = 180


def _refuse(field: str, message: str):
    raise ValidationError({field: [message]})


def _require_scope(actor, appraisal: ReserveAppraisal) -> None:
    require_reserve_scope(actor, appraisal.township.path, target=appraisal, message=SCOPE_REFUSED)


def appraisal_open(
    *,
    actor,
    township: Organization,
    year: int,
    half: int,
    codes: int,
    opened_on: datetime.date | None = None,
) -> tuple[ReserveAppraisal, list[str]]:
    """Open a township's half-year appraisal: every reserve in the pool (入库) of its villages
    today is appraised; `codes` ballot codes are made. Returns the appraisal and the plain
    codes, shown once."""
    require_reserve_scope(actor, township.path, target=township, message=SCOPE_REFUSED)
    if township.unit_category not in TOWNSHIP_CATEGORIES:
        _refuse("township", "后备力量考评以乡镇（街道）为单位开展。")
    require_plausible_year(year=year)
    if half not in HalfYear.values:
        _refuse("half", "请选择上半年或下半年。")
    opened_on = opened_on or timezone.localdate()
    if not is_plausible(opened_on):
        _refuse("opened_on", OUT_OF_RANGE)
    if opened_on > timezone.localdate():
        _refuse("opened_on", "考评日期不能晚于今天。")
    if not 1 <= codes <= MAX_CODES:
        _refuse("codes", f"选票码数量应在 1 至 {MAX_CODES} 之间。")
    plain = ballot_codes_new(codes)
    with transaction.atomic():
        # The township's row lock: two clerks cannot open the same half year at once.
        Organization.objects.select_for_update().filter(pk=township.pk).first()
        appraisal = ReserveAppraisal(
            township=township,
            year=year,
            half=half,
            opened_on=opened_on,
            opened_by=acting_user(actor),
        )
        appraisal.validate_constraints()
        pool = list(
            ReserveCandidate.objects.filter(
                subtree_q(township.path, "village__path"), status=ReserveStatus.IN_POOL
            ).order_by("village__path", "name", "pk")
        )
        if not pool:
            _refuse("township", f"{township.name}目前没有入库的后备力量，不能开展考评。")
        appraisal.save()
        ReserveAppraisalSubject.objects.bulk_create(
            ReserveAppraisalSubject(
                appraisal=appraisal, candidate=c, village_id=c.village_id, order=order
            )
            for order, c in enumerate(pool)
        )
        ReserveBallotCode.objects.bulk_create(
            ReserveBallotCode(appraisal=appraisal, digest=ballot_code_digest(c)) for c in plain
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=appraisal,
            org_path=township.path,
            after={
                "year": year,
                "half": half,
                "opened_on": opened_on.isoformat(),
                "subjects": [c.pk for c in pool],
                "ballot_codes": codes,
            },
        )
    return appraisal, plain


def inspection_save(
    *, actor, subject: ReserveAppraisalSubject, text: str
) -> ReserveAppraisalSubject:
    """Record the inspection of one reserve (考察情况): what the township found talking to the
    reserve, the villagers and the village cadres. Editable until the appraisal is finished."""
    appraisal = subject.appraisal
    _require_scope(actor, appraisal)
    if appraisal.status == S.FINISHED:
        _refuse("inspection", "考评已经完成，不能再修改考察情况。")
    text = (text or "").strip()
    if len(text) > 2000:
        _refuse("inspection", "考察情况不能超过 2000 字。")
    with transaction.atomic():
        before = subject.inspection
        subject.inspection = text
        subject.save(update_fields=["inspection"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=subject,
            org_path=appraisal.township.path,
            before={"inspection": before},
            after={"inspection": text},
        )
    return subject


def ballot_code_valid(*, appraisal: ReserveAppraisal, code: str) -> bool:
    """Whether `code` is an unused code of the open appraisal. The ballot page lists the
    reserves only to the holder of such a code; the code is not used up here."""
    return (
        appraisal.status == S.OPEN
        and bool(code)
        and ReserveBallotCode.objects.filter(
            appraisal=appraisal, digest=ballot_code_digest(code), used=False
        ).exists()
    )


def _missing(subjects: list[ReserveAppraisalSubject], marks: dict) -> list[str]:
    """What a ballot leaves ungraded, by reserve: "张三的德、廉"."""
    labels = dict(rules.Dimension.choices)
    missing = []
    for s in subjects:
        given = marks.get(s.pk) or {}
        gaps = [labels[d] for d in labels if given.get(d) not in rules.BALLOT_GRADES]
        if gaps:
            missing.append(f"{s.candidate.name}的{'、'.join(gaps)}")
    return missing


def ballot_cast(*, appraisal_id: int, code: str, marks: dict[int, dict[str, str]]) -> None:
    """Cast a secret ballot with a one-time code: each reserve graded on each of 德能勤绩廉,
    all of them; a half-filled ballot is refused, naming what is missing, its code unused."""
    appraisal = ReserveAppraisal.objects.select_related("township").filter(pk=appraisal_id).first()
    if appraisal is None:
        raise Http404("未找到该考评。")
    if appraisal.status != S.OPEN:
        _refuse("code", CLOSED_REFUSED)
    subjects = list(appraisal.subjects.select_related("candidate").order_by("order", "pk"))
    missing = _missing(subjects, marks)
    if missing:
        _refuse("marks", f"选票没有填完，请补评：{'；'.join(missing)}。")
    clean = {str(s.pk): {d: marks[s.pk][d] for d in rules.Dimension.values} for s in subjects}
    with transaction.atomic():
        # The appraisal's row lock orders ballots with closing: none lands after the tally.
        still_open = ReserveAppraisal.objects.select_for_update().filter(
            pk=appraisal.pk, status=S.OPEN
        )
        if not list(still_open.values_list("pk", flat=True)):
            _refuse("code", CLOSED_REFUSED)
        # The conditional update is the one-time rule: of two ballots cast with one code at
        # the same moment, only one changes the row.
        if not ReserveBallotCode.objects.filter(
            appraisal=appraisal, digest=ballot_code_digest(code or ""), used=False
        ).update(used=True):
            _refuse("code", CODE_REFUSED)
        ReserveBallot.objects.create(appraisal=appraisal, marks=clean)
        # The log says that a ballot arrived, never from whom nor which grades.
        audit_record(
            actor=None,
            actor_username="匿名投票",
            action=AuditAction.CREATE,
            target=appraisal,
            org_path=appraisal.township.path,
            message="收到一张后备力量考评无记名选票",
            anonymous=True,
        )


def appraisal_close(
    *, actor, appraisal: ReserveAppraisal, closed_on: datetime.date | None = None
) -> ReserveAppraisal:
    """End the voting and fix each reserve's tally, score, rank and flag (see `rules`)."""
    _require_scope(actor, appraisal)
    closed_on = closed_on or timezone.localdate()
    with transaction.atomic():
        appraisal = (
            ReserveAppraisal.objects.select_for_update()
            .select_related("township")
            .get(pk=appraisal.pk)
        )
        if appraisal.status != S.OPEN:
            _refuse("status", "本次考评的民主测评已经结束。")
        if not is_plausible(closed_on) or closed_on > timezone.localdate():
            _refuse("closed_on", "结束日期不能晚于今天。")
        if closed_on < appraisal.opened_on:
            _refuse("closed_on", "结束日期不能早于考评日期。")
        ballots, counts = selectors.appraisal_counts(appraisal=appraisal)
        if not ballots:
            _refuse("status", "还没有收到选票，不能结束测评。")
        threshold = rules.pass_share()
        subjects = list(appraisal.subjects.all())
        tallies = [rules.tally(counts[s.pk], ballots) for s in subjects]
        for s, t, rank in zip(
            subjects, tallies, rules.ranks([t.score for t in tallies]), strict=True
        ):
            s.counts, s.ballots, s.approving, s.marks = t.counts, t.ballots, t.approving, t.marks
            s.score, s.rank, s.flagged = rounded(t.score), rank, t.flagged(threshold)
        ReserveAppraisalSubject.objects.bulk_update(
            subjects, ["counts", "ballots", "approving", "marks", "score", "rank", "flagged"]
        )
        appraisal.status, appraisal.closed_on = S.CLOSED, closed_on
        appraisal.pass_share = str(threshold)
        appraisal.save(update_fields=["status", "closed_on", "pass_share"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=appraisal,
            org_path=appraisal.township.path,
            before={"status": S.OPEN},
            after={
                "status": S.CLOSED,
                "closed_on": closed_on.isoformat(),
                "pass_share": appraisal.pass_share,
                "ballots": ballots,
                "flagged": [s.candidate_id for s in subjects if s.flagged],
            },
        )
    return appraisal


def subject_decide(
    *,
    actor,
    subject: ReserveAppraisalSubject,
    outcome: str,
    reason: str = "",
    on: datetime.date | None = None,
) -> ReserveAppraisalSubject:
    """Decide what the appraisal means for one reserve (考评结果运用): priority training
    (重点培养), keep (保留) or exit with a reason (退出); a reserve who already left the pool
    another way is recorded as such. The reserve changes through `reserves.lifecycle`; the
    appraisal is finished when every reserve has an outcome."""
    appraisal = subject.appraisal
    _require_scope(actor, appraisal)
    reason = (reason or "").strip()
    on = on or timezone.localdate()
    if outcome not in Outcome.values:
        _refuse("outcome", "请选择重点培养、保留或退出。")
    if outcome == Outcome.EXIT and not reason:
        _refuse("reason", "退出须写明原因。")
    if len(reason) > MAX_REASON:
        _refuse("reason", f"说明不能超过 {MAX_REASON} 字。")
    with transaction.atomic():
        subject = (
            ReserveAppraisalSubject.objects.select_for_update()
            .select_related("appraisal__township", "candidate__village")
            .get(pk=subject.pk)
        )
        appraisal = subject.appraisal
        if appraisal.status == S.OPEN:
            _refuse("outcome", "民主测评结束后才能确定去留。")
        if subject.outcome:
            _refuse(
                "outcome",
                f"{subject.candidate.name}的去留已经确定为“{subject.get_outcome_display()}”。",
            )
        candidate = subject.candidate
        in_pool = candidate.status == ReserveStatus.IN_POOL
        if outcome == Outcome.LEFT and in_pool:
            _refuse("outcome", f"{candidate.name}仍在库中，请选择重点培养、保留或退出。")
        note = f"{appraisal.period}考评" + (f"：{reason}" if reason else "")
        if outcome == Outcome.PRIORITY:
            lifecycle.reserve_priority_set(
                actor=actor, candidate=candidate, priority=True, note=note, on=on
            )
        elif outcome == Outcome.KEEP:
            lifecycle.reserve_keep(actor=actor, candidate=candidate, note=note, on=on)
        elif outcome == Outcome.EXIT:
            lifecycle.reserve_exit(actor=actor, candidate=candidate, reason=note, on=on)
        subject.outcome, subject.outcome_reason = outcome, reason
        subject.decided_on, subject.decided_by = on, acting_user(actor)
        subject.save(update_fields=["outcome", "outcome_reason", "decided_on", "decided_by"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=subject,
            org_path=appraisal.township.path,
            after={"outcome": outcome, "reason": reason, "decided_on": on.isoformat()},
        )
        if not appraisal.subjects.filter(outcome="").exists():
            appraisal.status, appraisal.finished_on = S.FINISHED, on
            appraisal.save(update_fields=["status", "finished_on"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=appraisal,
                org_path=appraisal.township.path,
                before={"status": S.CLOSED},
                after={"status": S.FINISHED, "finished_on": on.isoformat()},
                message="后备力量考评完成：每人的去留均已确定",
            )
    return subject
