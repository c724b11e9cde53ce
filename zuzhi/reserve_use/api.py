"""Reserve use API (后备力量的“用”, /api/reserve-use): the same selectors and services as the
pages. County and township staff only; a record outside the user's scope is the logged 404."""

import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page, PersonalPage
from zuzhi.core.params import ObjectId, Partial, QueryText
from zuzhi.orgs.selectors import org_get, org_param
from zuzhi.reserves import selectors as reserve_selectors
from zuzhi.reserves.scoping import require_reserve_manager

from . import selectors as sel
from . import services
from .models import AssignmentKind, AssignmentRating, ElectedBody

router = Router(tags=["村级后备力量使用"])


class AssignmentOut(Schema):
    id: int
    candidate_id: int
    candidate_name: str = Field(..., alias="candidate.name")
    village_id: int = Field(..., alias="candidate.village_id")
    village_name: str = Field(..., alias="candidate.village.name")
    kind: AssignmentKind
    title: str
    started_on: datetime.date
    ended_on: datetime.date | None
    performance: str = Field(description="工作实绩")
    rating: str = Field(description="乡镇评价：good 好，fair 较好，average 一般；空为未评价")


class AssignmentIn(Schema):
    candidate_id: ObjectId = Field(..., description="已入库的后备力量的 id")
    kind: AssignmentKind
    title: str = Field(..., max_length=128)
    started_on: datetime.date
    ended_on: datetime.date | None = None


class ResultIn(Schema):
    performance: str = Field("", max_length=5000, description="工作实绩")
    ended_on: datetime.date | None = None
    rating: AssignmentRating | None = None


class AssignmentFilters(Schema):
    village: ObjectId | None = None
    township: ObjectId | None = None
    kind: AssignmentKind | None = None
    rating: AssignmentRating | None = None
    open_only: bool = False
    q: QueryText = Field("", description="姓名、拼音首字母、完整身份号码或任务名称")


class PlaceFilters(Schema):
    village: ObjectId | None = None
    township: ObjectId | None = None
    q: QueryText = ""


class NotAppliedOut(Schema):
    id: int
    village_id: int
    village_name: str = Field(..., alias="village.name")
    name: str
    id_number: str = Field(description="按角色脱敏")
    phone: str
    withdrew: bool = Field(description="曾递交入党申请，已终止")


class ElectedIn(Schema):
    candidate_id: ObjectId
    body: ElectedBody
    position: str = Field(
        ..., max_length=32, description="支部委员会职务（secretary…）或村民委员会职务（chair…）"
    )


class ElectionIn(Schema):
    village_id: ObjectId
    held_on: datetime.date
    note: str = Field("", max_length=200)
    elected: list[ElectedIn] = Field(..., max_length=100)


class ElectedOut(Schema):
    candidate_id: int
    candidate_name: str = Field(..., alias="candidate.name")
    body: ElectedBody
    position: str
    position_label: str
    committee_seat_id: int | None
    village_committee_member_id: int | None


class ElectionOut(Schema):
    id: int
    village_id: int
    village_name: str = Field(..., alias="village.name")
    held_on: datetime.date
    note: str
    elected: list[ElectedOut]

    @staticmethod
    def resolve_elected(obj) -> list:
        return list(sel.election_results(election=obj))


class TownshipCountOut(Schema):
    township_id: int
    township_name: str
    appointed: int = Field(description="通过换届进入村“两委”的后备力量")
    in_pool: int = Field(description="在库的后备力量")


def _place(request, filters) -> dict:
    return {
        "village": org_param(user=request.user, value=filters.village),
        "township": org_param(user=request.user, value=filters.township),
    }


@router.get("/assignments", response=list[AssignmentOut], summary="压担子任务")
@paginate(Page, page_size=50)
def assignment_list(request, filters: Query[AssignmentFilters]):
    require_reserve_manager(request.user)
    return sel.assignment_list(
        user=request.user,
        **_place(request, filters),
        kind=filters.kind or "",
        rating=filters.rating or "",
        open_only=filters.open_only,
        q=filters.q.strip(),
    )


@router.post("/assignments", response={201: AssignmentOut}, summary="给后备力量压担子")
def assignment_create(request, payload: AssignmentIn):
    require_reserve_manager(request.user)
    data = payload.dict()
    candidate = reserve_selectors.candidate_get(user=request.user, pk=data.pop("candidate_id"))
    assignment = services.assignment_create(actor=request.user, candidate=candidate, data=data)
    return Status(201, sel.assignment_get(user=request.user, pk=assignment.pk))


@router.get(
    "/assignments/{int:reserve_assignment_id}", response=AssignmentOut, summary="压担子任务详情"
)
def assignment_detail(request, reserve_assignment_id: ObjectId):
    return sel.assignment_get(user=request.user, pk=reserve_assignment_id)


@router.patch(
    "/assignments/{int:reserve_assignment_id}",
    response=AssignmentOut,
    summary="记录工作实绩和乡镇评价",
)
def assignment_result(request, reserve_assignment_id: ObjectId, payload: Partial[ResultIn]):
    assignment = sel.assignment_get(user=request.user, pk=reserve_assignment_id)
    data = {k: ("" if v is None and k == "rating" else v) for k, v in dict(payload).items()}
    services.assignment_record_result(actor=request.user, assignment=assignment, data=data)
    return sel.assignment_get(user=request.user, pk=reserve_assignment_id)


@router.get("/not-applied", response=list[NotAppliedOut], summary="尚未递交入党申请的后备力量")
@paginate(Page, page_size=50)
def not_applied(request, filters: Query[PlaceFilters]):
    require_reserve_manager(request.user)
    qs = sel.reserves_not_applied(
        user=request.user, **_place(request, filters), q=filters.q.strip()
    )
    return PersonalPage(qs, user=request.user, where=request.path)


@router.post("/elections", response={201: ElectionOut}, summary="登记换届选举交接")
def election_create(request, payload: ElectionIn):
    require_reserve_manager(request.user)
    village = org_get(user=request.user, pk=payload.village_id)
    elected = [
        services.ElectedInput(
            candidate=reserve_selectors.candidate_get(user=request.user, pk=e.candidate_id),
            body=e.body,
            position=e.position,
        )
        for e in payload.elected
    ]
    election = services.election_record(
        actor=request.user,
        village=village,
        held_on=payload.held_on,
        note=payload.note,
        elected=elected,
    )
    return Status(201, sel.election_get(user=request.user, pk=election.pk))


@router.get("/elections/{int:election_id}", response=ElectionOut, summary="换届选举交接详情")
def election_detail(request, election_id: ObjectId):
    return sel.election_get(user=request.user, pk=election_id)


@router.get("/summary", response=list[TownshipCountOut], summary="各乡镇后备力量进入村“两委”人数")
def summary(request):
    require_reserve_manager(request.user)
    return [
        {"township_id": r["township"].pk, "township_name": r["township"].name} | r
        for r in sel.appointed_by_township(user=request.user)
    ]
