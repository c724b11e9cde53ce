"""/api/talent-demands (人才需求目录, the talent office's) and /api/public/talent-demands (the
published catalogue, no login, no internal fields). Thin over selectors and services."""

import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page
from zuzhi.core.params import ObjectId, Partial, QueryText

from . import selectors, services
from .models import EditionStatus

router = Router(tags=["人才需求目录"])
public_router = Router(tags=["人才需求目录（公开，无需登录）"], auth=None)


class DemandEditionOut(Schema):
    id: int
    county: str = Field(..., alias="county.name")
    year: int
    title: str
    intro: str
    status: EditionStatus
    published_at: datetime.datetime | None


class DemandEditionIn(Schema):
    year: int = Field(..., ge=2000, le=2100)
    title: str = Field("", max_length=100)
    intro: str = Field("", max_length=4000)


class DemandCopyIn(Schema):
    year: int = Field(..., description="新目录的年度（2000—2100）")


class DemandUnpublishIn(Schema):
    reason: str = Field(..., max_length=500, description="撤回发布的原因")


class DemandEntryPublicOut(Schema):
    """What the public sees of an entry: everything but the office's internal note."""

    id: int
    industry: str
    employer: str
    post: str
    number: int
    degree: str = Field(..., description="最低学历（代码）；空为不限")
    degree_label: str = Field(..., alias="get_degree_display")
    major: str
    experience: str
    requirements: str
    salary: str
    housing: str
    subsidies: str
    contact: str


class DemandEntryOut(DemandEntryPublicOut):
    edition_id: int
    note: str
    order: int


class DemandEntryIn(Schema):
    industry: str = Field(..., max_length=64)
    employer: str = Field(..., max_length=128)
    post: str = Field(..., max_length=64)
    number: int = Field(..., ge=1, le=9999)
    degree: str = Field("", max_length=12)
    major: str = Field("", max_length=128)
    experience: str = Field("", max_length=128)
    requirements: str = Field("", max_length=2000)
    salary: str = Field("", max_length=64)
    housing: str = Field("", max_length=128)
    subsidies: str = Field("", max_length=200)
    contact: str = Field("", max_length=64)
    note: str = Field("", max_length=2000)
    order: int = Field(0, ge=0, le=1_000_000)


class DemandEntryFilters(Schema):
    industry: QueryText = Field("", description="所属产业")
    q: QueryText = Field("", description="用人单位、岗位或专业")


@router.get("", response=list[DemandEditionOut], summary="需求目录（各年度）")
@paginate(Page, page_size=50)
def edition_list(request):
    return selectors.edition_list(user=request.user)


@router.post("", response={201: DemandEditionOut}, summary="新建年度需求目录（草稿）")
def edition_create(request, payload: DemandEditionIn):
    return Status(201, services.edition_create(actor=request.user, data=payload.dict()))


@router.get("/{int:edition_id}", response=DemandEditionOut, summary="需求目录详情")
def edition_get(request, edition_id: ObjectId):
    return selectors.edition_get(user=request.user, pk=edition_id)


@router.patch("/{int:edition_id}", response=DemandEditionOut, summary="修改需求目录（草稿）")
def edition_patch(request, edition_id: ObjectId, payload: Partial[DemandEditionIn]):
    edition = selectors.edition_get(user=request.user, pk=edition_id)
    return services.edition_update(actor=request.user, edition=edition, data=dict(payload))


@router.post("/{int:edition_id}/copy", response={201: DemandEditionOut}, summary="复制为新年度目录")
def edition_copy(request, edition_id: ObjectId, payload: DemandCopyIn):
    source = selectors.edition_get(user=request.user, pk=edition_id)
    return Status(201, services.edition_copy(actor=request.user, source=source, year=payload.year))


@router.post("/{int:edition_id}/publish", response=DemandEditionOut, summary="发布")
def edition_publish(request, edition_id: ObjectId):
    edition = selectors.edition_get(user=request.user, pk=edition_id)
    return services.edition_publish(actor=request.user, edition=edition)


@router.post("/{int:edition_id}/unpublish", response=DemandEditionOut, summary="撤回发布")
def edition_unpublish(request, edition_id: ObjectId, payload: DemandUnpublishIn):
    edition = selectors.edition_get(user=request.user, pk=edition_id)
    return services.edition_unpublish(actor=request.user, edition=edition, reason=payload.reason)


@router.get("/{int:edition_id}/entries", response=list[DemandEntryOut], summary="需求岗位")
@paginate(Page, page_size=100)
def entry_list(request, edition_id: ObjectId, filters: Query[DemandEntryFilters]):
    edition = selectors.edition_get(user=request.user, pk=edition_id)
    return selectors.entry_list(edition=edition, industry=filters.industry, query=filters.q)


@router.post("/{int:edition_id}/entries", response={201: DemandEntryOut}, summary="新增需求岗位")
def entry_create(request, edition_id: ObjectId, payload: DemandEntryIn):
    edition = selectors.edition_get(user=request.user, pk=edition_id)
    return Status(
        201, services.entry_create(actor=request.user, edition=edition, data=payload.dict())
    )


@router.patch("/entries/{int:demand_entry_id}", response=DemandEntryOut, summary="修改需求岗位")
def entry_patch(request, demand_entry_id: ObjectId, payload: Partial[DemandEntryIn]):
    entry = selectors.entry_get(user=request.user, pk=demand_entry_id)
    return services.entry_update(actor=request.user, entry=entry, data=dict(payload))


@router.delete("/entries/{int:demand_entry_id}", response={204: None}, summary="删除需求岗位")
def entry_delete(request, demand_entry_id: ObjectId):
    entry = selectors.entry_get(user=request.user, pk=demand_entry_id)
    services.entry_delete(actor=request.user, entry=entry)
    return Status(204, None)


# --- public ---------------------------------------------------------------------------------
class DemandEditionPublicOut(Schema):
    id: int
    county: str = Field(..., alias="county.name")
    year: int
    title: str
    intro: str
    published_at: datetime.datetime | None


class DemandCatalogueOut(DemandEntryPublicOut):
    edition_id: int
    year: int = Field(..., alias="edition.year")
    county: str = Field(..., alias="edition.county.name")
    catalogue: str = Field(..., alias="edition.title", description="目录名称")


class DemandCatalogueFilters(DemandEntryFilters):
    year: int | None = Field(None, ge=2000, le=2100, description="年度；不填为全部已发布年度")


@public_router.get(
    "",
    response=list[DemandCatalogueOut],
    summary="已发布的人才需求目录（各岗位，最新年度在前）",
)
@paginate(Page, page_size=100)
def public_catalogue(request, filters: Query[DemandCatalogueFilters]):
    return selectors.public_catalogue(year=filters.year, industry=filters.industry, query=filters.q)


@public_router.get("/editions", response=list[DemandEditionPublicOut], summary="已发布的各年度目录")
@paginate(Page, page_size=50)
def public_edition_list(request):
    return selectors.public_editions()


@public_router.get(
    "/{int:edition_id}/entries",
    response=list[DemandEntryPublicOut],
    summary="已发布目录的需求岗位（可按产业筛选）",
)
@paginate(Page, page_size=100)
def public_entry_list(request, edition_id: ObjectId, filters: Query[DemandEntryFilters]):
    edition = selectors.public_edition_get(pk=edition_id)
    return selectors.public_entries(edition=edition, industry=filters.industry, query=filters.q)
