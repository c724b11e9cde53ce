"""GET /api/party-stats: the yearly Party statistics (党内统计) of a subtree as JSON.

Over ZUZHI_EXPORT_INLINE_MAX members (a county and above) the figures are not computed in the
request: the answer is 202 with the report job that computes them in the worker (the same job
as the page's 重新统计), whose workbook is downloaded from `file_url` by the same user once
`status` is done. A job still running, or done with its file kept, is answered again rather
than started twice; `refresh=true` starts a new one."""

import datetime
import uuid

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from zuzhi.core.export_jobs import report_is_large, report_job_last, report_job_start
from zuzhi.core.models import ExportJob
from zuzhi.core.params import ObjectId
from zuzhi.orgs.figures import subtree_members
from zuzhi.orgs.selectors import org_param

from . import selectors
from .exports import KIND, stats_query

router = Router(tags=["党内统计"])


class StatsFilters(Schema):
    org: ObjectId | None = Field(
        None, description="统计该党组织及其下级；默认为本人权限范围的顶层组织"
    )
    year: int | None = Field(
        None, ge=1900, le=2100, description="统计年度：截至该年 12 月 31 日；今年截至今天；默认今年"
    )
    refresh: bool = Field(False, description="范围较大时：重新在后台统计，而不沿用上次的结果")


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


class JobOut(Schema):
    job: uuid.UUID
    status: str = Field(..., description="queued 排队中、running 统计中、done 已完成、failed 失败")
    members: int = Field(..., description="统计范围内的党员数（超过即在后台统计）")
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    url: str = Field(..., description="导出任务页面（进度）")
    file_url: str | None = Field(..., description="已完成时：统计表 Excel 的下载地址，仅本人可下载")
    error: str


def _job_out(job: ExportJob) -> dict:
    done = job.status == ExportJob.Status.DONE and job.file_name
    return {
        "job": job.pk,
        "status": job.status,
        "members": job.total_rows,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "url": reverse("exports:job", kwargs={"pk": job.pk}),
        "file_url": reverse("exports:file", kwargs={"pk": job.pk}) if done else None,
        "error": job.error,
    }


def _report_job(request, *, root, year: int, refresh: bool) -> ExportJob:
    """The job of these statistics: the last one unless it failed, its file is gone or
    `refresh` asks for another."""
    params = stats_query(root=root, year=year)
    last = report_job_last(user=request.user, kind=KIND, params=params)
    if last is not None and not refresh and last.status != ExportJob.Status.FAILED:
        if last.status != ExportJob.Status.DONE or last.file_name:
            return last
    return report_job_start(
        actor=request.user, kind=KIND, params=params, where=reverse("party_stats:index")
    )


@router.get(
    "",
    response={200: StatsOut, 202: JobOut},
    summary="党内统计（按组织和年度，从党员名册和台账生成；范围较大时在后台统计）",
)
def party_stats(request, filters: Query[StatsFilters]):
    user = request.user
    root = selectors.stats_root(user=user, org=org_param(user=user, value=filters.org))
    year = filters.year or timezone.localdate().year
    selectors.stats_as_of(year=year)
    if report_is_large(members=subtree_members(user=user, org=root)):
        return Status(
            202, _job_out(_report_job(request, root=root, year=year, refresh=filters.refresh))
        )
    stats = selectors.party_stats(user=user, org=root, year=year)
    return {
        "organization": stats.organization,
        "year": stats.year,
        "as_of": stats.as_of,
        "member_total": stats.member_total,
        "tables": stats.tables,
        "checks": [{"key": p.key, "label": p.label, "count": n} for p, n in stats.checks],
    }
