"""API of the reserves' half-year appraisal (/api/reserve-appraisals): list, open (the codes
come back once), one appraisal with its reserves (and the tally once closed), close, the
inspection note and the outcome of one reserve. Thin adapters over services and selectors;
county and township staff only, out of scope the logged 404."""

import datetime

from django.urls import reverse
from ninja import Field, Router, Schema, Status

from zuzhi.core.params import ObjectId
from zuzhi.orgs.selectors import org_get

from . import selectors, services
from .models import HalfYear, Outcome, ReserveAppraisalStatus

router = Router(tags=["后备力量半年考评"])


class ReserveAppraisalOut(Schema):
    id: int
    township_id: int
    township_name: str
    year: int
    half: HalfYear = Field(..., description="1 上半年，2 下半年")
    period: str = Field(..., description="如“2026年上半年”")
    opened_on: datetime.date
    status: ReserveAppraisalStatus
    closed_on: datetime.date | None
    finished_on: datetime.date | None
    pass_share: str = Field(..., description="结束测评时的称职以上占比下限，如 2/3")


class ReserveAppraisalIn(Schema):
    township_id: ObjectId
    year: int = Field(..., ge=1900, le=2100)
    half: HalfYear
    codes: int = Field(..., ge=1, le=services.MAX_CODES, description="选票码数量")
    opened_on: datetime.date | None = None


class ReserveAppraisalCreatedOut(ReserveAppraisalOut):
    ballot_path: str = Field(..., description="投票页面地址（无需登录，凭选票码投票）")
    codes: list[str] = Field(..., description="选票码明文，只返回这一次")


class ReserveAppraisalSubjectOut(Schema):
    id: int
    candidate_id: int
    name: str
    village_id: int
    village_name: str
    inspection: str
    ballots: int
    counts: dict[str, dict[str, int]] | None = Field(
        ..., description="德能勤绩廉各等次票数；测评结束后才有"
    )
    score: str | None = Field(..., description="称职以上占比，如 0.6667")
    rank: int | None
    flagged: bool = Field(..., description="称职以上占比低于下限")
    outcome: str = Field(..., description="priority 重点培养，keep 保留，exit 退出，left 已不在库")
    outcome_reason: str
    decided_on: datetime.date | None


class ReserveAppraisalDetailOut(ReserveAppraisalOut):
    subjects: list[ReserveAppraisalSubjectOut]


class ReserveInspectionIn(Schema):
    inspection: str = Field(..., max_length=2000)


class ReserveOutcomeIn(Schema):
    outcome: Outcome
    reason: str = Field("", max_length=services.MAX_REASON, description="退出须写明原因")


def _out(a) -> dict:
    return {
        "id": a.pk,
        "township_id": a.township_id,
        "township_name": a.township.name,
        "year": a.year,
        "half": a.half,
        "period": a.period,
        "opened_on": a.opened_on,
        "status": a.status,
        "closed_on": a.closed_on,
        "finished_on": a.finished_on,
        "pass_share": a.pass_share,
    }


def _subject_out(s) -> dict:
    return {
        "id": s.pk,
        "candidate_id": s.candidate_id,
        "name": s.candidate.name,
        "village_id": s.village_id,
        "village_name": s.village.name,
        "inspection": s.inspection,
        "ballots": s.ballots,
        "counts": s.counts,
        "score": None if s.score is None else str(s.score),
        "rank": s.rank,
        "flagged": s.flagged,
        "outcome": s.outcome,
        "outcome_reason": s.outcome_reason,
        "decided_on": s.decided_on,
    }


def _detail_out(a) -> dict:
    return {
        **_out(a),
        "subjects": [_subject_out(s) for s in selectors.appraisal_subjects(appraisal=a)],
    }


@router.get("", response=list[ReserveAppraisalOut], summary="后备力量半年考评列表")
def appraisal_list(request):
    selectors.require_manager(user=request.user)
    return [_out(a) for a in selectors.appraisal_list(user=request.user)]


@router.post(
    "",
    response={201: ReserveAppraisalCreatedOut},
    summary="开展半年考评（返回选票码明文，仅此一次）",
)
def appraisal_open(request, payload: ReserveAppraisalIn):
    selectors.require_manager(user=request.user)
    township = org_get(user=request.user, pk=payload.township_id)
    appraisal, codes = services.appraisal_open(
        actor=request.user,
        township=township,
        year=payload.year,
        half=payload.half,
        codes=payload.codes,
        opened_on=payload.opened_on,
    )
    return Status(
        201,
        {
            **_out(appraisal),
            "ballot_path": reverse("reserve_appraisals:ballot", args=[appraisal.ballot_token]),
            "codes": codes,
        },
    )


@router.get(
    "/{int:reserve_appraisal_id}",
    response=ReserveAppraisalDetailOut,
    summary="半年考评详情（测评结束后含票数和名次）",
)
def appraisal_detail(request, reserve_appraisal_id: ObjectId):
    return _detail_out(selectors.appraisal_get(user=request.user, pk=reserve_appraisal_id))


@router.post(
    "/{int:reserve_appraisal_id}/close",
    response=ReserveAppraisalDetailOut,
    summary="结束民主测评并固定结果",
)
def appraisal_close(request, reserve_appraisal_id: ObjectId):
    appraisal = selectors.appraisal_get(user=request.user, pk=reserve_appraisal_id)
    return _detail_out(services.appraisal_close(actor=request.user, appraisal=appraisal))


@router.patch(
    "/subjects/{int:reserve_subject_id}",
    response=ReserveAppraisalSubjectOut,
    summary="填写考察情况",
)
def subject_inspection(request, reserve_subject_id: ObjectId, payload: ReserveInspectionIn):
    subject = selectors.subject_get(user=request.user, pk=reserve_subject_id)
    return _subject_out(
        services.inspection_save(actor=request.user, subject=subject, text=payload.inspection)
    )


@router.post(
    "/subjects/{int:reserve_subject_id}/outcome",
    response=ReserveAppraisalSubjectOut,
    summary="确定去留（重点培养、保留或退出）",
)
def subject_outcome(request, reserve_subject_id: ObjectId, payload: ReserveOutcomeIn):
    subject = selectors.subject_get(user=request.user, pk=reserve_subject_id)
    return _subject_out(
        services.subject_decide(
            actor=request.user, subject=subject, outcome=payload.outcome, reason=payload.reason
        )
    )
