"""/api/contests/{id}/…: the judges' panel, sheets and corrections."""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Status

from zuzhi.accounts.models import User
from zuzhi.core.params import ObjectId

from .. import selectors, services
from ..models import StageKind
from .base import (
    CorrectionIn,
    CorrectionOut,
    DecisionIn,
    EntrantRef,
    JudgeIn,
    SheetIn,
    SheetOut,
    contest_of,
    stage_of,
)

router = Router()


@router.post("/{int:contest_id}/stages/{int:stage_id}/judges", summary="安排评委")
def judge_seat(request, contest_id: ObjectId, stage_id: ObjectId, payload: JudgeIn):
    contest = contest_of(request, contest_id)
    stage = stage_of(contest, stage_id, StageKind.JUDGES)
    judge = User.objects.filter(username=payload.username).first()
    if judge is None:
        raise ValidationError({"username": ["没有这个账号。"]})
    seat = services.judge_seat(actor=request.user, stage=stage, judge=judge)
    return {"seat_no": seat.seat_no, "username": judge.username}


@router.post("/{int:contest_id}/stages/{int:stage_id}/open", summary="参评对象上场（开始评分）")
def appearance_open(request, contest_id: ObjectId, stage_id: ObjectId, payload: EntrantRef):
    contest = contest_of(request, contest_id)
    stage = stage_of(contest, stage_id, StageKind.JUDGES)
    entrant = selectors.entrant_get(user=request.user, contest=contest, pk=payload.entrant_id)
    services.appearance_open(actor=request.user, stage=stage, entrant=entrant)
    return {"entrant_id": entrant.pk, "status": "open"}


@router.post("/{int:contest_id}/stages/{int:stage_id}/close", summary="结束当前对象的评分")
def appearance_close(request, contest_id: ObjectId, stage_id: ObjectId):
    contest = contest_of(request, contest_id)
    stage = stage_of(contest, stage_id, StageKind.JUDGES)
    appearance = selectors.current_appearance(stage)
    if appearance is None:
        raise ValidationError("现在没有正在评分的对象。")
    services.appearance_close(actor=request.user, appearance=appearance)
    return {"entrant_id": appearance.entrant_id, "status": "closed"}


@router.get(
    "/{int:contest_id}/stages/{int:stage_id}/board", summary="评分进度（结束评分后才显示分数）"
)
def judges_board(request, contest_id: ObjectId, stage_id: ObjectId):
    contest = contest_of(request, contest_id)
    stage = selectors.board_stage_get(user=request.user, contest=contest, pk=stage_id)
    seats, rows = selectors.judges_board(stage=stage)
    return {
        "seats": [s.seat_no for s in seats],
        "entrants": [
            {
                "entrant_id": r.appearance.entrant_id,
                "name": r.appearance.entrant.name,
                "status": r.appearance.status,
                "submitted": sorted(r.submitted),
                "scores": {str(k): str(v) for k, v in r.scores.items()}
                if r.scores is not None
                else None,
                "panel": None if r.panel is None else str(r.panel),
            }
            for r in rows
        ],
    }


@router.post(
    "/{int:contest_id}/stages/{int:stage_id}/sheets",
    response={201: SheetOut},
    summary="评委提交评分（每个对象一次）",
)
def sheet_submit(request, contest_id: ObjectId, stage_id: ObjectId, payload: SheetIn):
    stage = selectors.judge_stage_get(user=request.user, pk=stage_id)
    if stage.contest_id != contest_id:
        raise Http404
    entrant = stage.contest.entrants.filter(pk=payload.entrant_id).first()
    if entrant is None:
        raise Http404
    sheet = services.sheet_submit(
        judge=request.user, stage=stage, entrant=entrant, marks=payload.marks
    )
    return Status(201, sheet)


@router.post(
    "/{int:contest_id}/sheets/{int:sheet_id}/corrections",
    response={201: CorrectionOut},
    summary="评委申请更正评分",
)
def correction_request(request, contest_id: ObjectId, sheet_id: ObjectId, payload: CorrectionIn):
    sheet = selectors.judge_sheet_get(user=request.user, contest_id=contest_id, pk=sheet_id)
    item = services.correction_request(
        judge=request.user, sheet=sheet, marks=payload.marks, reason=payload.reason
    )
    return Status(201, item)


@router.post(
    "/{int:contest_id}/corrections/{int:item_id}/decision",
    response=CorrectionOut,
    summary="审核评分更正（竞赛秘书）",
)
def correction_decide(request, contest_id: ObjectId, item_id: ObjectId, payload: DecisionIn):
    contest = contest_of(request, contest_id)
    item = selectors.correction_get(user=request.user, contest=contest, pk=item_id)
    return services.correction_decide(actor=request.user, correction=item, approve=payload.approve)
