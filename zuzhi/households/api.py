"""/api/households (联系户) and /api/household-links (联户关系): thin over the selectors and
services. Personal data (户主身份号码, 电话) goes through core.personal like every list."""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page, PersonalPage
from zuzhi.core.params import ObjectId, ObjectIds, Partial, QueryText
from zuzhi.core.personal import personal_view
from zuzhi.orgs.selectors import org_param

from . import selectors, services
from .models import Household

router = Router(tags=["联系户"])
link_router = Router(tags=["联系户"])


class HouseholdMemberOut(Schema):
    id: int
    name: str
    organization: str = Field(..., alias="organization.name")


class HouseholdOut(Schema):
    id: int
    community_id: int
    community: str = Field(..., alias="community.name")
    grid: str
    address: str
    head_name: str
    head_id_number: str
    phone: str
    people: int | None
    note: str
    member: HouseholdMemberOut | None


class HouseholdIn(Schema):
    community_id: ObjectId
    grid: str = Field("", max_length=32)
    address: str = Field(..., max_length=200)
    head_name: str = Field(..., max_length=64)
    head_id_number: str = Field("", max_length=30)
    phone: str = Field("", max_length=30)
    people: int | None = Field(None, ge=1, le=99)
    note: str = Field("", max_length=200)


class HouseholdFilters(Schema):
    community: ObjectId | None = Field(None, description="社区（村）或其上级组织 id")
    grid: QueryText = ""
    state: Literal["", "linked", "unlinked", "relink"] = Field(
        "", description="linked 已联系；unlinked 未联系；relink 待重新联系"
    )
    q: QueryText = Field("", description="户主姓名、拼音首字母或住址")


def _community(user, pk):
    return org_param(user=user, value=pk)


def _shown(request, household: Household) -> Household:
    personal_view(user=request.user, objects=[household], where=request.path)
    return household


@router.get("", response=list[HouseholdOut], summary="联系户列表")
@paginate(Page, page_size=50)
def household_list(request, filters: Query[HouseholdFilters]):
    qs = selectors.household_list(
        user=request.user,
        community=_community(request.user, filters.community),
        grid=filters.grid,
        link_state=filters.state,
        query=filters.q,
    ).select_related("member__organization")
    return PersonalPage(qs, user=request.user, where=request.path)


@router.get("/mine", response=list[HouseholdOut], summary="我联系的住户")
@paginate(Page, page_size=50)
def household_mine(request):
    qs = selectors.my_households(user=request.user).select_related("member__organization")
    return PersonalPage(qs, user=request.user, where=request.path)


@router.get("/{int:household_id}", response=HouseholdOut, summary="联系户详情")
def household_get(request, household_id: ObjectId):
    return _shown(request, selectors.household_get(user=request.user, pk=household_id))


@router.post("", response={201: HouseholdOut}, summary="登记联系户")
def household_create(request, payload: HouseholdIn):
    data = payload.dict()
    community = selectors.community_get(user=request.user, pk=data.pop("community_id"))
    household = services.household_create(actor=request.user, community=community, data=data)
    return Status(201, _shown(request, household))


@router.patch("/{int:household_id}", response=HouseholdOut, summary="修改联系户（部分字段）")
def household_patch(request, household_id: ObjectId, payload: Partial[HouseholdIn]):
    household = selectors.household_get(user=request.user, pk=household_id)
    data = dict(payload)
    community_id = data.pop("community_id", None)
    community = (
        selectors.community_get(user=request.user, pk=community_id) if community_id else None
    )
    household = services.household_update(
        actor=request.user, household=household, data=data, community=community
    )
    return _shown(request, household)


class HouseholdLinkOut(Schema):
    id: int
    household_id: int
    household: str = Field(..., alias="household.address")
    community: str = Field(..., alias="household.community.name")
    member_id: int
    member: str = Field(..., alias="member.name")
    organization: str = Field(..., alias="member.organization.name")
    started_on: datetime.date
    ended_on: datetime.date | None
    end_reason: str


class HouseholdLinkFilters(Schema):
    household: ObjectId | None = None
    member: ObjectId | None = None
    current: bool | None = Field(None, description="true 仅当前联系；false 仅已结束")


class HouseholdLinkIn(Schema):
    household_id: ObjectId
    member_id: ObjectId
    started_on: datetime.date | None = Field(None, description="默认今天")


class HouseholdLinkEndIn(Schema):
    end_reason: str = Field(..., min_length=1, max_length=200)
    ended_on: datetime.date | None = Field(None, description="默认今天")


class HouseholdBulkAssignIn(Schema):
    community_id: ObjectId = Field(..., description="社区（村）或其上级组织")
    grid: str = Field("", max_length=32, description="只分配该网格的住户")
    member_ids: Annotated[ObjectIds, Field(min_length=1)]
    started_on: datetime.date | None = None


class HouseholdBulkAssignOut(Schema):
    linked: int
    left: int = Field(..., description="因党员均已联系满额而未分配的住户")


@link_router.get("", response=list[HouseholdLinkOut], summary="联户关系（含历史）")
@paginate(Page, page_size=50)
def household_link_list(request, filters: Query[HouseholdLinkFilters]):
    household = (
        selectors.household_get(user=request.user, pk=filters.household)
        if filters.household
        else None
    )
    return selectors.link_list(
        user=request.user, household=household, member_id=filters.member, current=filters.current
    )


@link_router.post("", response={201: HouseholdLinkOut}, summary="联户（已有联系的改由该党员联系）")
def household_link_create(request, payload: HouseholdLinkIn):
    household = selectors.household_get(user=request.user, pk=payload.household_id)
    member = selectors.linkable_member_get(user=request.user, pk=payload.member_id)
    link = services.household_link(
        actor=request.user, household=household, member=member, on=payload.started_on
    )
    return Status(201, link)


@link_router.post(
    "/{int:link_id}/end", response=HouseholdLinkOut, summary="结束联户（住户转为未联系）"
)
def household_link_end(request, link_id: ObjectId, payload: HouseholdLinkEndIn):
    link = selectors.link_get(user=request.user, pk=link_id)
    if link.ended_on is not None:
        raise ValidationError("该联户关系已结束。")
    return services.household_unlink(
        actor=request.user, household=link.household, reason=payload.end_reason, on=payload.ended_on
    )


@link_router.post(
    "/bulk-assign",
    response=HouseholdBulkAssignOut,
    summary="按社区（村）、网格批量分配，均衡到各党员",
)
def household_link_bulk_assign(request, payload: HouseholdBulkAssignIn):
    community = _community(request.user, payload.community_id)
    members = selectors.linkable_members_by_ids(user=request.user, ids=payload.member_ids)
    households = selectors.household_list(user=request.user, community=community, grid=payload.grid)
    result = services.household_links_bulk_assign(
        actor=request.user, households=households, members=members, on=payload.started_on
    )
    return {"linked": result.linked, "left": result.left}
