"""/api/reserve-reviews (县级联审): the county's rounds with each name's outcome and the
departments' answers, and a reviewer's answer on a name. The same selectors and services as
the pages; reasons go to the county's round readers only."""

import datetime

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page
from zuzhi.core.params import ObjectId
from zuzhi.core.personal import personal_view
from zuzhi.core.scope import deny

from . import selectors as sel
from . import services
from .models import Outcome, RoundKind, RoundStatus, Verdict

router = Router(tags=["县级联审"])


class ReviewRoundOut(Schema):
    id: int
    kind: RoundKind
    title: str
    deadline: datetime.date
    status: RoundStatus
    organization_id: int
    opened_at: datetime.datetime


class ReviewAnswerOut(Schema):
    department: str
    verdict: Verdict
    reason: str = Field(..., description="不通过理由（仅县委组织部可见）")


class ReviewItemOut(Schema):
    id: int
    name: str
    id_number: str
    village_id: int
    source_type: str
    source_id: str
    outcome: Outcome
    answers: list[ReviewAnswerOut]


class ReviewRoundDetailOut(ReviewRoundOut):
    departments: list[str]
    pending_departments: list[str] = Field(..., description="尚未反馈完毕的部门")
    items: list[ReviewItemOut]


class ReviewItemIn(Schema):
    name: str = Field(..., max_length=64)
    id_number: str = Field(..., max_length=18)
    village_id: ObjectId


class ReviewRoundIn(Schema):
    kind: RoundKind
    title: str = Field(..., max_length=128)
    deadline: datetime.date
    items: list[ReviewItemIn] = Field(..., max_length=5000)


class ReviewDecisionIn(Schema):
    department_id: ObjectId
    verdict: Verdict
    reason: str = Field("", max_length=2000)


class ReviewDecisionOut(Schema):
    item_id: int
    department_id: int
    verdict: Verdict
    reason: str


ROUND_FIELDS = ("id", "kind", "title", "deadline", "status", "organization_id", "opened_at")
ITEM_FIELDS = ("id", "name", "id_number", "village_id", "source_type", "source_id")


def _detail(user, review_round) -> dict:
    matrix = sel.round_matrix(review_round=review_round)
    items = personal_view(
        user=user, objects=[r["item"] for r in matrix["rows"]], where="API 县级联审批次"
    )
    return {
        **{f: getattr(review_round, f) for f in ROUND_FIELDS},
        "departments": [d.name for d in matrix["departments"]],
        "pending_departments": [d.name for d in matrix["pending_departments"]],
        "items": [
            {
                **{f: getattr(item, f) for f in ITEM_FIELDS},
                "outcome": item.outcome,
                "answers": [
                    {"department": c.department.name, "verdict": c.verdict, "reason": c.reason}
                    for c in row["cells"]
                    if c is not None
                ],
            }
            for item, row in zip(items, matrix["rows"], strict=True)
        ],
    }


@router.get("/rounds", response=list[ReviewRoundOut], summary="联审批次")
@paginate(Page, page_size=50)
def round_list(request):
    return sel.rounds_visible(user=request.user)


@router.post("/rounds", response={201: ReviewRoundDetailOut}, summary="发起联审")
def round_create(request, payload: ReviewRoundIn):
    """Every active department takes part; the villages must be in the caller's county."""
    from zuzhi.orgs.models import Organization

    county = sel.round_county(user=request.user)
    villages = Organization.objects.in_bulk({i.village_id for i in payload.items})
    missing = [i.village_id for i in payload.items if i.village_id not in villages]
    if missing:
        raise ValidationError({"items": [f"村（id {missing[0]}）不存在。"]})
    review_round = services.round_open(
        actor=request.user,
        kind=payload.kind,
        organization=county,
        title=payload.title,
        deadline=payload.deadline,
        items=[
            # The source of an item is set by the apps that send their own lists (reserves),
            # never by a caller: a closed round acts on the records it names.
            services.ItemInput(i.name, i.id_number, villages[i.village_id])
            for i in payload.items
        ],
    )
    return Status(201, _detail(request.user, review_round))


@router.get(
    "/rounds/{int:review_round_id}", response=ReviewRoundDetailOut, summary="联审批次及结果"
)
def round_detail(request, review_round_id: ObjectId):
    return _detail(request.user, sel.round_get(user=request.user, pk=review_round_id))


@router.post(
    "/items/{int:review_item_id}/decisions", response=ReviewDecisionOut, summary="部门反馈意见"
)
def decision_create(request, review_item_id: ObjectId, payload: ReviewDecisionIn):
    """A reviewer answers for their own department on a name of an open round."""
    department = next(
        (d for d in sel.reviewer_departments(user=request.user) if d.pk == payload.department_id),
        None,
    )
    if department is None:
        raise deny(request.user, message="只能以本部门身份反馈联审意见。")
    item = sel.reviewer_item_get(user=request.user, department=department, pk=review_item_id)
    return services.decision_record(
        actor=request.user,
        item=item,
        department=department,
        verdict=payload.verdict,
        reason=payload.reason,
    )
