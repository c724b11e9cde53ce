"""/api/talents (人才库): the registry, its titles and a talent's leaving; the talent office
only (anyone else gets the logged 404; a talent with an account reads their own record at
/api/talents/me). Thin over selectors and services; ID numbers and phones through
core.personal like every list."""

import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page, PersonalPage
from zuzhi.core.params import ObjectId, Partial, QueryText
from zuzhi.core.personal import personal_view
from zuzhi.core.scope import deny

from . import selectors, services
from .models import Degree, TalentStatus, TitleLevel
from .scoping import is_talent_staff, talent_county

router = Router(tags=["人才库"])


class TalentTitleOut(Schema):
    id: int
    name: str
    level: TitleLevel
    high_level: bool
    active: bool


class TalentOut(Schema):
    id: int
    name: str
    id_number: str
    gender: str
    birth_date: datetime.date | None
    phone: str
    degree: str
    school: str
    major: str
    field: str
    employer: str
    industry: str
    position: str
    title: TalentTitleOut | None
    honours: str
    arrived_on: datetime.date | None
    status: TalentStatus
    left_on: datetime.date | None
    member_id: int | None
    cadre_id: int | None


class TalentIn(Schema):
    name: str = Field(..., max_length=32)
    id_number: str = Field(..., max_length=30)
    phone: str = Field("", max_length=30)
    degree: Degree | None = None
    school: str = Field("", max_length=64)
    major: str = Field("", max_length=64)
    field: str = Field("", max_length=64)
    employer: str = Field("", max_length=128)
    industry: str = Field("", max_length=64)
    position: str = Field("", max_length=64)
    title_id: ObjectId | None = None
    honours: str = Field("", max_length=2000)
    arrived_on: datetime.date | None = None
    note: str = Field("", max_length=2000)


class TalentFilters(Schema):
    q: QueryText = Field("", description="姓名、拼音首字母、完整身份证号、单位或领域")
    title: ObjectId | None = None
    level: TitleLevel | None = None
    degree: Degree | None = None
    industry: QueryText = ""
    status: TalentStatus | None = None
    high_level: bool = Field(False, description="只看高层次人才")


class TalentLeaveIn(Schema):
    left_on: datetime.date
    note: str = Field("", max_length=200)


def _office(request):
    if not is_talent_staff(request.user):
        raise deny(request.user, message="试图调用人才库接口（仅人才办）")


def _shown(request, talent):
    personal_view(user=request.user, objects=[talent], where=request.path)
    return talent


def _data(request, payload: dict) -> dict:
    if "title_id" in payload:
        payload["title"] = selectors.title_choice(user=request.user, pk=payload.pop("title_id"))
    if payload.get("degree") is None and "degree" in payload:
        payload["degree"] = ""
    return payload


@router.get("", response=list[TalentOut], summary="人才库")
@paginate(Page, page_size=50)
def talent_list(request, filters: Query[TalentFilters]):
    _office(request)
    qs = selectors.talent_list(
        user=request.user,
        q=filters.q,
        title_id=filters.title,
        level=filters.level or "",
        degree=filters.degree or "",
        industry=filters.industry,
        status=filters.status or "",
        high_level=filters.high_level,
    )
    return PersonalPage(qs, user=request.user, where=request.path)


@router.get("/me", response=TalentOut, summary="本人人才档案（人才本人账号）")
def talent_me(request):
    talent = selectors.own_talent(user=request.user)
    if talent is None:
        raise deny(request.user, message="试图查看本人人才档案（未关联人才）")
    return _shown(request, talent)


@router.get("/titles", response=list[TalentTitleOut], summary="人才称号")
def talent_titles(request):
    _office(request)
    return list(selectors.titles(user=request.user))


@router.get("/{int:talent_id}", response=TalentOut, summary="人才详情")
def talent_get(request, talent_id: ObjectId):
    _office(request)
    return _shown(request, selectors.talent_get(user=request.user, pk=talent_id))


@router.post("", response={201: TalentOut}, summary="人才入库")
def talent_create(request, payload: TalentIn):
    _office(request)
    talent = services.talent_create(
        actor=request.user,
        county=talent_county(request.user),
        data=_data(request, payload.dict()),
    )
    return Status(201, _shown(request, talent))


@router.patch("/{int:talent_id}", response=TalentOut, summary="修改人才信息（部分字段）")
def talent_patch(request, talent_id: ObjectId, payload: Partial[TalentIn]):
    _office(request)
    talent = selectors.talent_get(user=request.user, pk=talent_id)
    talent = services.talent_update(
        actor=request.user, talent=talent, data=_data(request, dict(payload))
    )
    return _shown(request, talent)


@router.post("/{int:talent_id}/leave", response=TalentOut, summary="登记离开本县")
def talent_leave(request, talent_id: ObjectId, payload: TalentLeaveIn):
    _office(request)
    talent = selectors.talent_get(user=request.user, pk=talent_id)
    talent = services.talent_leave(
        actor=request.user, talent=talent, left_on=payload.left_on, note=payload.note
    )
    return _shown(request, talent)
