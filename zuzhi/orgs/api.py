import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import AuditChangeOut, AuditPage, Page, PersonalPage
from zuzhi.core.params import ObjectId, Partial, QueryText
from zuzhi.core.personal import personal_view

from . import selectors, services
from .models import OrgType, UnitCategory

router = Router(tags=["党组织"])


class OrganizationOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    org_type: OrgType
    org_type_label: str = Field(..., alias="get_org_type_display")
    unit_category: UnitCategory
    parent_id: int | None
    depth: int
    secretary_name: str
    secretary_phone: str
    founded_on: datetime.date | None
    term_start: datetime.date | None
    term_end: datetime.date | None
    division_code: str
    address: str
    is_active: bool


class OrganizationIn(Schema):
    parent_id: ObjectId
    code: str = Field("", description="组织代码；新建时留空则按上级组织取下一个可用代码")
    name: str
    org_type: OrgType
    unit_category: UnitCategory = UnitCategory.OTHER
    short_name: str = ""
    secretary_name: str = ""
    secretary_phone: str = ""
    founded_on: datetime.date | None = None
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    division_code: str = ""
    address: str = ""
    sort_order: int = 0
    is_active: bool = True


class OrganizationFilters(Schema):
    parent: ObjectId | None = None
    type: OrgType | None = None
    q: QueryText | None = None
    unit_category: UnitCategory | None = None


class OrgChoiceOut(Schema):
    """An organization as the picker offers it: of one outside your scope (the county-wide
    search for a transfer's receiving side) nothing else is given."""

    id: int
    name: str
    context: str = Field(..., description="上级组织名称；county 模式下为所在乡镇（街道）名称")


class OrgSearchFilters(Schema):
    q: QueryText = Field("", description="名称、简称、组织代码或拼音首字母（可在名称任意位置）")
    mode: selectors.PickerMode = Field(
        selectors.PickerMode.SCOPE,
        description="scope：本人权限范围；county：本县全部有效组织（组织关系转入方）；"
        "tree：系统管理员管理的组织（授予角色）；cadres：干部科管理的单位；"
        "staff：县委组织部、乡镇党委工作人员的范围（村级后备力量）",
    )
    type: list[OrgType] = Field([], description="只列出这些组织类型")
    unit_category: list[UnitCategory] = Field([], description="只列出这些单位类别")


class HistoryOut(Schema):
    id: int
    time: datetime.datetime
    actor: str = Field(..., alias="actor_username")
    action: str
    before: dict | None
    after: dict | None
    changes: list[AuditChangeOut] = Field(
        ..., description="修改前后，按页面上的写法（代码显示为名称）"
    )
    message: str


def _out(request, org):
    personal_view(user=request.user, objects=[org], where=request.path)
    return org


@router.get("", response=list[OrganizationOut], summary="党组织列表")
@paginate(Page, page_size=50)
def org_list(request, filters: Query[OrganizationFilters]):
    qs = selectors.org_list(
        user=request.user,
        parent=filters.parent,
        org_type=filters.type,
        unit_category=filters.unit_category,
        q=filters.q,
    )
    return PersonalPage(qs, user=request.user, where=request.path)


@router.get("/search", response=list[OrgChoiceOut], summary="查找党组织（选择器）")
def org_search(request, filters: Query[OrgSearchFilters]):
    """At most 10 organizations named by `q`, higher levels first, for choosing one."""
    return selectors.org_picker_search(
        user=request.user,
        q=filters.q,
        mode=filters.mode,
        org_types=filters.type,
        unit_categories=filters.unit_category,
    )


@router.get("/{int:org_id}", response=OrganizationOut, summary="党组织详情")
def org_detail(request, org_id: ObjectId):
    return _out(request, selectors.org_get(user=request.user, pk=org_id))


@router.post("", response={201: OrganizationOut}, summary="新建党组织")
def org_create(request, payload: OrganizationIn):
    data = payload.dict()
    parent = selectors.org_get(user=request.user, pk=data.pop("parent_id"))
    org = services.org_create(actor=request.user, parent=parent, data=data)
    return Status(201, _out(request, org))


@router.patch("/{int:org_id}", response=OrganizationOut, summary="修改党组织（部分字段）")
def org_patch(request, org_id: ObjectId, payload: Partial[OrganizationIn]):
    org = selectors.org_get(user=request.user, pk=org_id)
    data = dict(payload)
    if "parent_id" in data:
        data["parent"] = selectors.org_get(user=request.user, pk=data.pop("parent_id"))
    org = services.org_update(actor=request.user, org=org, data=data)
    return _out(request, org)


@router.get("/{int:org_id}/history", response=list[HistoryOut], summary="党组织变更记录")
@paginate(Page, page_size=50)
def org_history(request, org_id: ObjectId):
    org = selectors.org_get(user=request.user, pk=org_id)
    return AuditPage(
        selectors.org_history(user=request.user, org=org), user=request.user, where=request.path
    )
