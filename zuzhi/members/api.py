import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page, PersonalPage
from zuzhi.core.params import ObjectId, Partial, QueryText
from zuzhi.core.personal import personal_view
from zuzhi.orgs.models import Organization
from zuzhi.orgs.selectors import org_get, org_param

from . import letters, selectors, services
from .models import MemberCategory, MemberStatus

router = Router(tags=["党员"])


class MemberOut(Schema):
    id: int
    name: str
    id_number: str
    gender: str
    ethnicity: str
    birth_date: datetime.date
    education: str
    join_date: datetime.date = Field(
        ..., description="入党日期；只有年月时为该月 1 日，以 join_date_display 为准"
    )
    join_date_month_only: bool = Field(..., description="入党日期只有年月")
    join_date_display: str = Field(..., description="显示用：1985.03（只有年月）或 1985-03-15")
    full_date: datetime.date | None
    full_date_month_only: bool = Field(..., description="转正日期只有年月")
    full_date_display: str | None
    status: MemberStatus
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    category: MemberCategory
    phone: str
    work_unit: str


class MemberIn(Schema):
    organization_id: ObjectId
    name: str
    id_number: str
    ethnicity: str
    join_date: datetime.date
    status: MemberStatus
    gender: str | None = None
    birth_date: datetime.date | None = None
    education: str = ""
    full_date: datetime.date | None = None
    join_date_month_only: bool = Field(False, description="只有年月：join_date 取该月任一日")
    full_date_month_only: bool = Field(False, description="只有年月：full_date 取该月任一日")
    category: MemberCategory = MemberCategory.OTHER
    phone: str = ""
    work_unit: str = ""


class MemberPatch(Schema):
    name: str
    id_number: str
    ethnicity: str
    join_date: datetime.date
    status: MemberStatus
    gender: str
    birth_date: datetime.date
    education: str
    full_date: datetime.date | None = None
    join_date_month_only: bool
    full_date_month_only: bool
    category: MemberCategory
    phone: str
    work_unit: str


AgeBandKey = Literal[tuple(band.key for band in selectors.AGE_BANDS)]
SortKey = Literal[tuple(selectors.MEMBER_SORTS)]


class MemberFilters(Schema):
    q: QueryText | None = None
    org: ObjectId | None = Field(None, description="只列出该党组织及其下级的党员")
    status: MemberStatus | None = None
    category: MemberCategory | None = None
    gender: Literal["1", "2"] | None = Field(None, description="性别：1 男，2 女")
    education: QueryText | None = Field(
        None, description="学历（ZB64）：该代码及其下级代码，如 2 为本科教育"
    )
    age_band: AgeBandKey | None = Field(
        None, description="年龄段：35（35 岁及以下）、36-45、46-55、56-60、61（61 岁及以上）"
    )
    sort: SortKey | None = Field(
        None,
        description="排序：org 党组织（默认）、name 姓名拼音、join_date 入党日期、"
        "birth_date 出生日期；前加 - 为倒序",
    )


class TransferIn(Schema):
    to_org_code: str
    transfer_date: datetime.date
    reason: str


class TransferOut(Schema):
    id: int
    member_id: int
    member_name: str = Field(..., alias="member.name")
    from_org: str = Field(..., alias="from_org.name")
    to_org: str = Field(..., alias="to_org.name")
    transfer_date: datetime.date
    reason: str
    status: str
    decision_note: str
    decided_at: datetime.datetime | None = Field(..., description="接收、退回或撤销的时间")


class TransferNoteIn(Schema):
    note: str = ""


def _out(request, member):
    personal_view(user=request.user, objects=[member], where=request.path)
    return member


@router.get("", response=list[MemberOut], summary="党员列表（姓名、拼音首字母或完整身份号码查找）")
@paginate(Page, page_size=50)
def member_list(request, filters: Query[MemberFilters]):
    within = org_param(user=request.user, value=filters.org)
    qs = selectors.member_list(
        user=request.user,
        q=filters.q,
        within=within,
        status=filters.status,
        category=filters.category,
        gender=filters.gender,
        education=filters.education,
        age_band=filters.age_band,
        sort=filters.sort,
    )
    return PersonalPage(qs, user=request.user, where=request.path)


@router.get("/transfers", response=list[TransferOut], summary="组织关系转接（待接收 / 已转出）")
def transfers(request, direction: str = "incoming", status: str | None = "pending"):
    if direction not in ("incoming", "outgoing"):
        raise Http404
    return list(
        selectors.transfer_list(user=request.user, direction=direction, status=status or None)
    )


@router.post("/transfers/{int:transfer_id}/accept", response=TransferOut, summary="接收转入的党员")
def transfer_accept(request, transfer_id: ObjectId, payload: TransferNoteIn):
    transfer = selectors.transfer_get(user=request.user, pk=transfer_id)
    return services.member_transfer_decide(
        actor=request.user, transfer=transfer, accept=True, note=payload.note
    )


@router.post("/transfers/{int:transfer_id}/reject", response=TransferOut, summary="退回转接")
def transfer_reject(request, transfer_id: ObjectId, payload: TransferNoteIn):
    transfer = selectors.transfer_get(user=request.user, pk=transfer_id)
    return services.member_transfer_decide(
        actor=request.user, transfer=transfer, accept=False, note=payload.note
    )


@router.post("/transfers/{int:transfer_id}/cancel", response=TransferOut, summary="撤销转出")
def transfer_cancel(request, transfer_id: ObjectId):
    transfer = selectors.transfer_get(user=request.user, pk=transfer_id)
    return services.member_transfer_cancel(actor=request.user, transfer=transfer)


@router.get(
    "/transfers/{int:transfer_id}/letter.pdf",
    summary="组织关系介绍信（PDF）",
    description="转出方和接收方均可打印；介绍信上身份证号码完整显示，打印记入审计日志。",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}, "description": "PDF"}}},
)
def transfer_letter(request, transfer_id: ObjectId):
    transfer = selectors.transfer_get(user=request.user, pk=transfer_id)
    return letters.transfer_letter_download(
        user=request.user, transfer=transfer, where=request.path
    )


@router.get("/{int:member_id}", response=MemberOut, summary="党员详情")
def member_detail(request, member_id: ObjectId):
    return _out(request, selectors.member_get(user=request.user, pk=member_id))


@router.post("", response={201: MemberOut}, summary="录入党员")
def member_create(request, payload: MemberIn):
    data = payload.dict()
    organization = org_get(user=request.user, pk=data.pop("organization_id"))
    member = services.member_create(actor=request.user, organization=organization, data=data)
    return Status(201, _out(request, member))


@router.patch("/{int:member_id}", response=MemberOut, summary="修改党员信息（部分字段）")
def member_patch(request, member_id: ObjectId, payload: Partial[MemberPatch]):
    """A join_date or full_date sent without its `*_month_only` flag is a full date: it
    replaces a date that was known only to the month."""
    member = selectors.member_get(user=request.user, pk=member_id)
    member = services.member_update(actor=request.user, member=member, data=dict(payload))
    return _out(request, member)


@router.post("/{int:member_id}/transfer", response={201: TransferOut}, summary="组织关系转出")
def member_transfer(request, member_id: ObjectId, payload: TransferIn):
    """The receiving organization is named by its code; it may be outside your scope, in
    which case the transfer waits for that side to accept it."""
    member = selectors.member_get(user=request.user, pk=member_id)
    to_org = Organization.objects.filter(code=payload.to_org_code).first()
    if to_org is None:
        raise ValidationError({"to_org_code": ["党组织代码不存在。"]})
    transfer = services.member_transfer(
        actor=request.user,
        member=member,
        to_org=to_org,
        transfer_date=payload.transfer_date,
        reason=payload.reason,
    )
    return Status(201, transfer)
