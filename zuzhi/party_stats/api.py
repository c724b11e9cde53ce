"""GET /api/party-stats: the yearly Party statistics (党内统计) of a subtree as JSON."""

import datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from zuzhi.core.params import ObjectId
from zuzhi.orgs.selectors import org_param

from . import selectors

router = Router(tags=["党内统计"])


class StatsFilters(Schema):
    org: ObjectId | None = Field(
        None, description="统计该党组织及其下级；默认为本人权限范围的顶层组织"
    )
    year: int | None = Field(
        None, ge=1900, le=2100, description="统计年度：截至该年 12 月 31 日；今年截至今天；默认今年"
    )


class RowOut(Schema):
    key: str
    label: str
    count: int
    share: float = Field(..., description="占本表合计的百分比，保留两位小数")
    detail: bool = Field(..., description="“其中”行：属于上面某一行，不计入合计")


class TableOut(Schema):
    key: str
    title: str
    heading: str
    unit: str
    rows: list[RowOut]
    total: int = Field(..., description="合计；党员各表均等于党员总数")
    blocked: int = Field(..., description="登记信息不全、无法归入本表的记录数（见数据核查）")
    notes: list[str]


class CheckOut(Schema):
    key: str
    label: str
    count: int


class OrgOut(Schema):
    id: int
    name: str


class StatsOut(Schema):
    organization: OrgOut
    year: int
    as_of: datetime.date = Field(..., description="统计截止日期")
    member_total: int
    tables: list[TableOut]
    checks: list[CheckOut] = Field(..., description="数据核查：各类登记信息不全的党员人数")


@router.get("", response=StatsOut, summary="党内统计（按组织和年度，从党员名册和台账生成）")
def party_stats(request, filters: Query[StatsFilters]):
    stats = selectors.party_stats(
        user=request.user,
        org=org_param(user=request.user, value=filters.org),
        year=filters.year or timezone.localdate().year,
    )
    return {
        "organization": stats.organization,
        "year": stats.year,
        "as_of": stats.as_of,
        "member_total": stats.member_total,
        "tables": stats.tables,
        "checks": [{"key": p.key, "label": p.label, "count": n} for p, n in stats.checks],
    }
