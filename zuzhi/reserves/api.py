"""Village reserves API (村级后备力量, /api/reserves): the same selectors and services as the
pages. County and township staff only; a record outside the user's scope is the logged 404."""

import datetime
from typing import Literal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page, PersonalPage
from zuzhi.core.params import ObjectId, Partial, QueryText
from zuzhi.core.personal import personal_view
from zuzhi.orgs.selectors import org_get, org_param

from . import lifecycle, services
from . import selectors as sel
from .models import DiscoveryMethod, EventKind, ReserveSource, ReserveStatus
from .scoping import require_reserve_manager

router = Router(tags=["村级后备力量"])
router.add_router("/pool", "zuzhi.reserves.pool_api.router")


class ReserveCandidateOut(Schema):
    id: int
    village_id: int
    village_name: str = Field(..., alias="village.name")
    name: str
    id_number: str = Field(description="按角色脱敏")
    gender: str = Field(description="GB22611：1 男，2 女（按身份号码）")
    birth_date: datetime.date
    age: int = Field(description="周岁，按出生日期计算")
    phone: str
    education: str = Field(description="学历代码（ZB64）")
    source: ReserveSource
    discovery: DiscoveryMethod
    willing: bool
    willingness_note: str
    status: ReserveStatus
    status_changed_on: datetime.date | None
    status_reason: str = Field(description="退回或退出原因（联审未通过只写“县级联审未通过”）")
    priority: bool = Field(description="重点培养")
    member_id: int | None = Field(description="党员信息库中的记录")
    cadre_id: int | None = Field(description="干部信息库中的记录")
    returning_talent_id: int | None

    @staticmethod
    def resolve_age(obj) -> int:
        return sel.age_on(obj.birth_date, timezone.localdate())


class ReserveCandidateIn(Schema):
    village_id: ObjectId = Field(..., description="行政村或社区党组织的 id")
    id_number: str = Field(..., max_length=20)
    name: str = Field(
        "", max_length=64, description="身份号码在党员、干部信息库中的，可不填（取库中姓名）"
    )
    phone: str = Field("", max_length=20)
    education: str = Field("", max_length=4, description="学历代码（ZB64）")
    source: ReserveSource
    discovery: DiscoveryMethod
    willing: bool = True
    willingness_note: str = Field("", max_length=200)
    returning_talent_id: ObjectId | None = None


class ReserveFilters(Schema):
    village: ObjectId | None = None
    township: ObjectId | None = None
    source: ReserveSource | None = None
    status: ReserveStatus | None = None
    q: QueryText = Field("", description="姓名、拼音首字母或完整身份号码")


class ReturningTalentOut(Schema):
    id: int
    home_village_id: int
    home_village_name: str = Field(..., alias="home_village.name")
    name: str
    id_number: str
    whereabouts: str
    occupation: str
    phone: str
    last_contact_on: datetime.date | None
    contact_person: str
    note: str


class ReturningTalentIn(Schema):
    home_village_id: ObjectId
    name: str = Field(..., max_length=64)
    id_number: str = Field("", max_length=20)
    whereabouts: str = Field("", max_length=128, description="现在何地（城市/单位）")
    occupation: str = Field("", max_length=64)
    phone: str = Field("", max_length=20)
    last_contact_on: datetime.date | None = None
    contact_person: str = Field("", max_length=64, description="一对一联系人")
    note: str = Field("", max_length=500)


def _candidate_data(request, data: dict) -> dict:
    if "village_id" in data:
        data["village"] = org_get(user=request.user, pk=data.pop("village_id"))
    if "returning_talent_id" in data:
        pk = data.pop("returning_talent_id")
        data["returning_talent"] = pk and sel.talent_get(user=request.user, pk=pk)
    return data


def _shown(request, obj):
    return personal_view(user=request.user, objects=[obj], where=request.path)[0]


@router.get("", response=list[ReserveCandidateOut], summary="村级后备力量人选")
@paginate(Page, page_size=50)
def candidate_list(request, filters: Query[ReserveFilters]):
    require_reserve_manager(request.user)
    qs = sel.candidate_list(
        user=request.user,
        village=org_param(user=request.user, value=filters.village),
        township=org_param(user=request.user, value=filters.township),
        source=filters.source or "",
        status=filters.status or "",
        q=filters.q.strip(),
    )
    return PersonalPage(qs, user=request.user, where=request.path)


@router.post("", response={201: ReserveCandidateOut}, summary="登记后备力量人选")
def candidate_create(request, payload: ReserveCandidateIn):
    require_reserve_manager(request.user)
    data = _candidate_data(request, payload.dict())
    candidate = services.candidate_create(actor=request.user, data=data)
    return Status(201, _shown(request, sel.candidate_get(user=request.user, pk=candidate.pk)))


@router.get("/returning-talent", response=list[ReturningTalentOut], summary="雁归人才联系名单")
@paginate(Page, page_size=50)
def talent_list(request, village: ObjectId | None = None, q: QueryText = ""):
    require_reserve_manager(request.user)
    qs = sel.talent_list(
        user=request.user, village=org_param(user=request.user, value=village), q=q.strip()
    )
    return PersonalPage(qs, user=request.user, where=request.path)


@router.post("/returning-talent", response={201: ReturningTalentOut}, summary="添加雁归人才")
def talent_create(request, payload: ReturningTalentIn):
    require_reserve_manager(request.user)
    data = payload.dict()
    data["home_village"] = org_get(user=request.user, pk=data.pop("home_village_id"))
    talent = services.talent_create(actor=request.user, data=data)
    return Status(201, _shown(request, sel.talent_get(user=request.user, pk=talent.pk)))


@router.get("/{int:reserve_id}", response=ReserveCandidateOut, summary="后备力量人选详情")
def candidate_detail(request, reserve_id: ObjectId):
    return _shown(request, sel.candidate_get(user=request.user, pk=reserve_id))


@router.patch("/{int:reserve_id}", response=ReserveCandidateOut, summary="修改后备力量人选")
def candidate_patch(request, reserve_id: ObjectId, payload: Partial[ReserveCandidateIn]):
    candidate = sel.candidate_get(user=request.user, pk=reserve_id)
    data = _candidate_data(request, dict(payload))
    services.candidate_update(actor=request.user, candidate=candidate, data=data)
    return _shown(request, sel.candidate_get(user=request.user, pk=reserve_id))


class ReserveEventOut(Schema):
    kind: EventKind
    kind_label: str = Field(..., alias="get_kind_display")
    on: datetime.date
    note: str


class ReserveTownshipReviewIn(Schema):
    ids: list[ObjectId] = Field(..., max_length=500)
    approve: bool
    reason: str = Field("", max_length=200, description="退回时必填")


class ReserveSendIn(Schema):
    ids: list[ObjectId] = Field(..., max_length=2000)
    title: str = Field(..., min_length=1, max_length=128)
    deadline: datetime.date


class ReserveStepIn(Schema):
    step: Literal["priority", "priority_end", "keep", "exit"]
    reason: str = Field("", max_length=200, description="退出时必填")


def _chosen(request, ids) -> list:
    found = list(sel.candidates_visible(user=request.user).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise Http404("部分人选不存在或不在权限范围内。")
    return found


@router.get("/{int:reserve_id}/history", response=list[ReserveEventOut], summary="后备力量进出记录")
def candidate_history(request, reserve_id: ObjectId):
    return sel.candidate_get(user=request.user, pk=reserve_id).events.all()


@router.post(
    "/township-review", response=list[ReserveCandidateOut], summary="乡镇党委初审（通过或退回）"
)
def township_review(request, payload: ReserveTownshipReviewIn):
    require_reserve_manager(request.user)
    done = lifecycle.township_review(
        actor=request.user,
        candidates=_chosen(request, payload.ids),
        approve=payload.approve,
        reason=payload.reason,
    )
    return personal_view(user=request.user, objects=done, where=request.path)


@router.post("/send-to-review", response={201: dict}, summary="报送县级联审（县委组织部）")
def send_to_review(request, payload: ReserveSendIn):
    require_reserve_manager(request.user)
    review_round = lifecycle.candidates_send_to_review(
        actor=request.user,
        candidates=_chosen(request, payload.ids),
        title=payload.title,
        deadline=payload.deadline,
    )
    return Status(201, {"round_id": review_round.pk, "items": len(payload.ids)})


@router.post(
    "/{int:reserve_id}/steps", response=ReserveCandidateOut, summary="重点培养、保留或退出"
)
def candidate_step(request, reserve_id: ObjectId, payload: ReserveStepIn):
    candidate = sel.candidate_get(user=request.user, pk=reserve_id)
    if payload.step == "exit":
        lifecycle.reserve_exit(actor=request.user, candidate=candidate, reason=payload.reason)
    elif payload.step == "keep":
        lifecycle.reserve_keep(actor=request.user, candidate=candidate, note=payload.reason)
    else:
        lifecycle.reserve_priority_set(
            actor=request.user,
            candidate=candidate,
            priority=payload.step == "priority",
            note=payload.reason,
        )
    return _shown(request, sel.candidate_get(user=request.user, pk=reserve_id))
