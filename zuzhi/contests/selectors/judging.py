"""The judges' side (评委评分): a judge's stages, the live board, pending corrections."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404

from zuzhi.core.params import object_id
from zuzhi.core.scope import deny, get_or_logged_404

from .. import scoring
from ..models import (
    Aggregation,
    Appearance,
    AppearanceStatus,
    Contest,
    DecisionStatus,
    JudgeSeat,
    ScoreCorrection,
    ScoreSheet,
    Stage,
    StageKind,
    TrimOn,
)
from ..rules import can_manage, manages


def judge_stages(*, user) -> QuerySet:
    """Stages the user is seated on as a judge (我的评分)."""
    return (
        Stage.objects.filter(seats__judge=user)
        .select_related("contest")
        .order_by("-contest_id", "order")
    )


def judge_stage_get(*, user, pk) -> Stage:
    pk = object_id(pk)
    stage = Stage.objects.filter(pk=pk, seats__judge=user).select_related("contest").first()
    if stage is None:
        existing = Stage.objects.filter(pk=pk).first()
        if existing is not None:
            raise deny(user, target=existing, message="评委访问了未受聘的评分环节")
        raise Http404("未找到该评分环节。")
    return stage


def current_appearance(stage: Stage) -> Appearance | None:
    return stage.appearances.filter(status=AppearanceStatus.OPEN).select_related("entrant").first()


@dataclass
class BoardRow:
    appearance: Appearance
    submitted: set[int]
    scores: dict[int, Decimal] | None  # by seat number, only once closed
    panel: Decimal | None


def judges_board(*, stage: Stage) -> tuple[list[JudgeSeat], list[BoardRow]]:
    """The live board (评分进度): who has scored each entrant; scores only after closing."""
    seats = list(stage.seats.select_related("judge"))
    seat_of = {s.judge_id: s.seat_no for s in seats}
    sheets: dict[int, list[ScoreSheet]] = defaultdict(list)
    for sheet in ScoreSheet.objects.filter(stage=stage):
        sheets[sheet.entrant_id].append(sheet)
    rows = []
    for appearance in stage.appearances.select_related("entrant"):
        mine = sheets[appearance.entrant_id]
        closed = appearance.status == AppearanceStatus.CLOSED
        panel = None
        if closed and mine:
            try:
                panel = scoring.panel_score(
                    [{int(k): Decimal(v) for k, v in s.marks.items()} for s in mine],
                    trimmed=stage.aggregation == Aggregation.TRIMMED,
                    per_criterion=stage.trim_on == TrimOn.CRITERION,
                )
            except scoring.ScoringError:
                panel = None
        rows.append(
            BoardRow(
                appearance=appearance,
                submitted={seat_of.get(s.judge_id) for s in mine},
                scores={seat_of.get(s.judge_id): s.total for s in mine} if closed else None,
                panel=panel,
            )
        )
    return seats, rows


def board_stage_get(*, user, contest: Contest, pk) -> Stage:
    """A judges' stage for its live board: the organizer sees any; a judge only their own."""
    stage = contest.stages.filter(pk=object_id(pk), kind=StageKind.JUDGES).first()
    if stage is None:
        raise Http404("未找到该评分环节。")
    if can_manage(user, contest):
        return stage
    return judge_stage_get(user=user, pk=stage.pk)


def judge_sheet_get(*, user, contest_id, pk) -> ScoreSheet:
    """One of the judge's own sheets (评分表) in the contest; anyone else's is refused as out
    of scope (logged), as every lookup past the user's reach is."""
    pk = object_id(pk)
    sheet = (
        ScoreSheet.objects.filter(pk=pk, stage__contest_id=object_id(contest_id), judge=user)
        .select_related("stage__contest")
        .first()
    )
    if sheet is None:
        existing = ScoreSheet.objects.filter(pk=pk).first()
        if existing is not None:
            raise deny(user, target=existing, message="评委访问了他人的评分表")
        raise Http404("未找到该评分表。")
    return sheet


def correction_get(*, user, contest: Contest, pk, stage: Stage | None = None) -> ScoreCorrection:
    """A judge's correction request (评分更正申请) in the contest, or in one stage of it, for the
    organizer to decide: 404 alike for missing and forbidden, the forbidden one logged."""
    qs = ScoreCorrection.objects.filter(sheet__stage__contest=contest)
    if stage is not None:
        qs = qs.filter(sheet__stage=stage)
    qs = qs.select_related("sheet__stage__contest__organization")
    visible = qs if manages(user, contest) else qs.none()
    return get_or_logged_404(user, visible, qs, pk=object_id(pk))


def pending_corrections(*, stage: Stage) -> QuerySet:
    return ScoreCorrection.objects.filter(
        sheet__stage=stage, status=DecisionStatus.PENDING
    ).select_related("sheet__entrant")


def judge_sheet(*, stage: Stage, judge, entrant_id: int) -> ScoreSheet | None:
    return ScoreSheet.objects.filter(stage=stage, judge=judge, entrant_id=entrant_id).first()
