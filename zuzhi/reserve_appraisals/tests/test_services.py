import datetime
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.reserve_appraisals import rules, services
from zuzhi.reserve_appraisals.models import (
    Outcome,
    ReserveAppraisal,
    ReserveAppraisalStatus,
    ReserveBallot,
)
from zuzhi.reserves import lifecycle
from zuzhi.reserves.models import EventKind, ReserveEvent, ReserveStatus

from .conftest import OPENED, marks_for
from .factories import pooled_reserves


def test_only_the_townships_reserves_in_the_pool_become_subjects(county, town_a_user, pool):
    # Not in the pool: a name still waiting for the township, one returned, one who left it.
    from zuzhi.reserves.services import candidate_create
    from zuzhi.testing.factories import valid_id_number

    waiting = candidate_create(
        actor=town_a_user,
        data={
            "village": county.village_a1,
            "name": "待审",
            "id_number": valid_id_number(birth="19950101", sequence=501),
            "source": "veteran",
            "discovery": "self",
        },
    )
    left = pooled_reserves(county=county, people=[(county.village_a2, "离库", 502)])[0]
    lifecycle.reserve_exit(actor=town_a_user, candidate=left, reason="外出务工")
    appraisal, codes = services.appraisal_open(
        actor=town_a_user, township=county.town_a, year=2026, half=1, codes=3, opened_on=OPENED
    )
    subjects = {s.candidate_id for s in appraisal.subjects.all()}
    assert subjects == {pool["a1"].pk, pool["a2"].pk}
    assert waiting.pk not in subjects and pool["b1"].pk not in subjects
    assert len(codes) == len(set(codes)) == 3
    assert appraisal.period == "2026年上半年"
    row = AuditLog.objects.get(target_type="reserve_appraisals.reserveappraisal")
    assert row.action == AuditAction.CREATE and row.org_path == county.town_a.path
    # One appraisal per township and half year.
    with pytest.raises(ValidationError, match="已经开展"):
        services.appraisal_open(
            actor=town_a_user, township=county.town_a, year=2026, half=1, codes=3
        )


def test_a_township_without_reserves_in_the_pool_cannot_open(county, town_b_user):
    with pytest.raises(ValidationError, match="没有入库的后备力量"):
        services.appraisal_open(
            actor=town_b_user, township=county.town_b, year=2026, half=1, codes=3
        )
    assert not ReserveAppraisal.objects.exists()


def test_town_b_staff_cannot_open_decide_or_close_for_town_a(
    county, town_a_user, town_b_user, opened
):
    appraisal, codes = opened
    with pytest.raises(Http404):
        services.appraisal_open(
            actor=town_b_user, township=county.town_a, year=2026, half=2, codes=3
        )
    services.ballot_cast(appraisal_id=appraisal.pk, code=codes[0], marks=marks_for(appraisal, {}))
    with pytest.raises(Http404):
        services.appraisal_close(actor=town_b_user, appraisal=appraisal)
    services.appraisal_close(actor=town_a_user, appraisal=appraisal)
    subject = appraisal.subjects.first()
    with pytest.raises(Http404):
        services.subject_decide(
            actor=town_b_user, subject=subject, outcome=Outcome.EXIT, reason="越权"
        )
    subject.refresh_from_db()
    assert subject.outcome == ""
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 3


def test_one_vote_per_code_and_the_ballot_keeps_no_voter(opened):
    appraisal, codes = opened
    marks = marks_for(appraisal, {})
    services.ballot_cast(appraisal_id=appraisal.pk, code=codes[0].lower(), marks=marks)
    with pytest.raises(ValidationError, match="无效或已经使用"):
        services.ballot_cast(appraisal_id=appraisal.pk, code=codes[0], marks=marks)
    with pytest.raises(ValidationError, match="无效或已经使用"):
        services.ballot_cast(appraisal_id=appraisal.pk, code="NOTACODE", marks=marks)
    assert ReserveBallot.objects.count() == 1
    ballot_fields = {f.name for f in ReserveBallot._meta.get_fields()}
    assert ballot_fields == {"id", "appraisal", "marks"}
    anonymous = AuditLog.objects.get(message__contains="无记名选票")
    assert anonymous.actor is None and anonymous.ip is None and anonymous.request_id == ""


def test_a_half_filled_ballot_is_refused_and_its_code_stays_unused(opened, pool):
    appraisal, codes = opened
    marks = marks_for(appraisal, {})
    subject = appraisal.subjects.get(candidate=pool["a2"])
    del marks[subject.pk]["lian"]
    with pytest.raises(ValidationError, match="李明的廉"):
        services.ballot_cast(appraisal_id=appraisal.pk, code=codes[0], marks=marks)
    assert services.ballot_code_valid(appraisal=appraisal, code=codes[0])


def test_a_closed_appraisal_takes_no_votes(town_a_user, opened):
    appraisal, codes = opened
    services.ballot_cast(appraisal_id=appraisal.pk, code=codes[0], marks=marks_for(appraisal, {}))
    appraisal = services.appraisal_close(actor=town_a_user, appraisal=appraisal)
    with pytest.raises(ValidationError, match="不再接受投票"):
        services.ballot_cast(
            appraisal_id=appraisal.pk, code=codes[1], marks=marks_for(appraisal, {})
        )
    assert not services.ballot_code_valid(appraisal=appraisal, code=codes[1])
    assert ReserveBallot.objects.count() == 1


def test_closing_needs_a_ballot(town_a_user, opened):
    appraisal, _ = opened
    with pytest.raises(ValidationError, match="还没有收到选票"):
        services.appraisal_close(actor=town_a_user, appraisal=appraisal)


def test_tally_rank_and_the_threshold_boundary(town_a_user, opened, pool):
    """Three ballots, 15 marks each: 陈晓 10 of 15 称职 or better (exactly 2/3: passes),
    李明 9 of 15 (below: flagged)."""
    appraisal, codes = opened
    a1, a2 = pool["a1"].pk, pool["a2"].pk
    ballots = [
        {a1: ["excellent"], a2: ["competent", "competent", "competent", "basically", "basically"]},
        {
            a1: ["competent"],
            a2: ["excellent", "competent", "competent", "basically", "incompetent"],
        },
        {a1: ["basically"], a2: ["competent", "competent", "competent", "basically", "basically"]},
    ]
    for code, grades in zip(codes, ballots, strict=False):
        services.ballot_cast(
            appraisal_id=appraisal.pk, code=code, marks=marks_for(appraisal, grades)
        )
    services.appraisal_close(actor=town_a_user, appraisal=appraisal, closed_on=OPENED)
    appraisal.refresh_from_db()
    assert appraisal.status == ReserveAppraisalStatus.CLOSED
    assert appraisal.pass_share == "2/3"
    first = appraisal.subjects.get(candidate_id=a1)
    second = appraisal.subjects.get(candidate_id=a2)
    assert (first.ballots, first.approving, first.marks) == (3, 10, 15)
    assert first.counts["de"] == {"excellent": 1, "competent": 1, "basically": 1, "incompetent": 0}
    assert str(first.score) == "0.6667" and not first.flagged and first.rank == 1
    assert second.counts["lian"] == {
        "excellent": 0,
        "competent": 0,
        "basically": 2,
        "incompetent": 1,
    }
    assert (second.approving, str(second.score)) == (9, "0.6000")
    assert second.flagged and second.rank == 2


def test_the_threshold_is_a_setting(settings, town_a_user, opened, pool):
    settings.ZUZHI_RESERVE_APPRAISAL_PASS_SHARE = "1/2"
    appraisal, codes = opened
    grades = {pool["a1"].pk: ["competent", "competent", "competent", "basically", "basically"]}
    services.ballot_cast(
        appraisal_id=appraisal.pk, code=codes[0], marks=marks_for(appraisal, grades)
    )
    appraisal = services.appraisal_close(actor=town_a_user, appraisal=appraisal)
    assert not appraisal.subjects.get(candidate=pool["a1"]).flagged  # 3/5 ≥ 1/2
    assert appraisal.pass_share == "1/2"


def test_ranks_share_equal_scores():
    assert rules.ranks([Fraction(2, 3), Fraction(1), Fraction(2, 3), Fraction(0)]) == [2, 1, 2, 4]


@pytest.fixture
def closed(town_a_user, opened):
    appraisal, codes = opened
    services.ballot_cast(appraisal_id=appraisal.pk, code=codes[0], marks=marks_for(appraisal, {}))
    return services.appraisal_close(actor=town_a_user, appraisal=appraisal)


def test_no_outcome_while_voting_runs(town_a_user, opened):
    appraisal, _ = opened
    with pytest.raises(ValidationError, match="民主测评结束后"):
        services.subject_decide(
            actor=town_a_user, subject=appraisal.subjects.first(), outcome=Outcome.KEEP
        )


def test_exit_needs_a_reason_and_leaves_the_pool_with_a_history_event(town_a_user, closed, pool):
    subject = closed.subjects.get(candidate=pool["a2"])
    with pytest.raises(ValidationError, match="退出须写明原因"):
        services.subject_decide(actor=town_a_user, subject=subject, outcome=Outcome.EXIT)
    day = datetime.date(2026, 7, 1)
    services.subject_decide(
        actor=town_a_user, subject=subject, outcome=Outcome.EXIT, reason="测评称职以上不足", on=day
    )
    reserve = pool["a2"]
    reserve.refresh_from_db()
    assert reserve.status == ReserveStatus.EXITED
    assert reserve.status_reason == "2026年上半年考评：测评称职以上不足"
    event = ReserveEvent.objects.filter(candidate=reserve).latest("id")
    assert (event.kind, event.on) == (EventKind.EXITED, day)
    subject.refresh_from_db()
    assert (subject.outcome, subject.outcome_reason) == (Outcome.EXIT, "测评称职以上不足")
    # Decided once.
    with pytest.raises(ValidationError, match="已经确定"):
        services.subject_decide(actor=town_a_user, subject=subject, outcome=Outcome.KEEP)


def test_priority_sets_priority_keep_keeps_and_all_decided_finishes(town_a_user, closed, pool):
    services.subject_decide(
        actor=town_a_user,
        subject=closed.subjects.get(candidate=pool["a1"]),
        outcome=Outcome.PRIORITY,
    )
    pool["a1"].refresh_from_db()
    assert pool["a1"].priority and pool["a1"].status == ReserveStatus.IN_POOL
    assert ReserveEvent.objects.filter(candidate=pool["a1"], kind=EventKind.PRIORITY).exists()
    closed.refresh_from_db()
    assert closed.status == ReserveAppraisalStatus.CLOSED
    services.subject_decide(
        actor=town_a_user, subject=closed.subjects.get(candidate=pool["a2"]), outcome=Outcome.KEEP
    )
    assert ReserveEvent.objects.filter(candidate=pool["a2"], kind=EventKind.KEPT).exists()
    closed.refresh_from_db()
    assert closed.status == ReserveAppraisalStatus.FINISHED and closed.finished_on
    with pytest.raises(ValidationError, match="不能再修改考察情况"):
        services.inspection_save(actor=town_a_user, subject=closed.subjects.first(), text="补记")


def test_a_reserve_who_left_the_pool_meanwhile_is_recorded_as_left(town_a_user, closed, pool):
    lifecycle.reserve_appointed(actor=town_a_user, candidate=pool["a1"])
    subject = closed.subjects.get(candidate=pool["a1"])
    with pytest.raises(ValidationError, match="不能保留"):
        services.subject_decide(actor=town_a_user, subject=subject, outcome=Outcome.KEEP)
    services.subject_decide(actor=town_a_user, subject=subject, outcome=Outcome.LEFT)
    subject.refresh_from_db()
    assert subject.outcome == Outcome.LEFT
    other = closed.subjects.get(candidate=pool["a2"])
    with pytest.raises(ValidationError, match="仍在库中"):
        services.subject_decide(actor=town_a_user, subject=other, outcome=Outcome.LEFT)


def test_inspection_note_is_audited(town_a_user, opened):
    appraisal, _ = opened
    subject = appraisal.subjects.first()
    services.inspection_save(actor=town_a_user, subject=subject, text="  群众评价好  ")
    subject.refresh_from_db()
    assert subject.inspection == "群众评价好"
    row = AuditLog.objects.get(target_type="reserve_appraisals.reserveappraisalsubject")
    assert row.after == {"inspection": "群众评价好"}
