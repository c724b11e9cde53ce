from ninja import Field, Router, Schema

from zuzhi.core.params import ObjectId

from . import selectors, services
from .models import Grade, RoundStatus

router = Router(tags=["民主评议党员"])


class SubjectOut(Schema):
    id: int
    member_id: int
    member_name: str
    self_assessment: str
    grade: str
    votes: dict[str, int] | None


class RoundOut(Schema):
    id: int
    organization_id: int
    year: int
    status: RoundStatus
    ballot_token: str = Field(..., description="无记名投票页地址 /appraisal/vote/{ballot_token}/")
    ballots: int
    excellent_limit: int
    subjects: list[SubjectOut]


class GradesIn(Schema):
    grades: dict[ObjectId, Grade]


def _out(round_):
    subjects = list(round_.subjects.select_related("member").order_by("member__name"))
    # Votes are shown only after voting closes, so that running totals sway nobody.
    counts = services.tally(round_) if round_.status != RoundStatus.OPEN else {}
    return {
        "id": round_.pk,
        "organization_id": round_.organization_id,
        "year": round_.year,
        "status": round_.status,
        "ballot_token": round_.ballot_token,
        "ballots": round_.ballots.count(),
        "excellent_limit": services.excellent_limit(round_, len(subjects)),
        "subjects": [
            {
                "id": s.pk,
                "member_id": s.member_id,
                "member_name": s.member.name,
                "self_assessment": s.self_assessment,
                "grade": s.grade,
                "votes": counts.get(s.pk),
            }
            for s in subjects
        ],
    }


@router.get("", response=list[RoundOut], summary="民主评议列表")
def round_list(request):
    return [_out(r) for r in selectors.appraisal_list(user=request.user)]


@router.get("/{int:round_id}", response=RoundOut, summary="民主评议详情（投票结束后含票数）")
def round_detail(request, round_id: ObjectId):
    return _out(selectors.appraisal_get(user=request.user, pk=round_id))


@router.post("/{int:round_id}/close", response=RoundOut, summary="结束投票")
def round_close(request, round_id: ObjectId):
    round_ = selectors.appraisal_get(user=request.user, pk=round_id)
    return _out(services.appraisal_close(actor=request.user, round_=round_))


@router.post("/{int:round_id}/decision", response=RoundOut, summary="确定评议结果")
def round_decide(request, round_id: ObjectId, payload: GradesIn):
    round_ = selectors.appraisal_get(user=request.user, pk=round_id)
    return _out(services.appraisal_decide(actor=request.user, round_=round_, grades=payload.grades))


@router.post("/{int:round_id}/publish", response=RoundOut, summary="公布结果（之后不能修改）")
def round_publish(request, round_id: ObjectId):
    round_ = selectors.appraisal_get(user=request.user, pk=round_id)
    return _out(services.appraisal_publish(actor=request.user, round_=round_))
