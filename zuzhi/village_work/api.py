"""Resident village work API (驻村工作, /api/village-assignments): the same selectors and
services as the pages. Township staff read their township's assignments and reports, never
the reviews; anyone outside gets the logged 404."""

import datetime
from typing import Literal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import MappedQuerySet, Page
from zuzhi.core.params import ObjectId

from . import selectors as sel
from . import services
from .models import Assignment, AssignmentRole, AssignmentStatus, MonthlyReport, Review

router = Router(tags=["驻村工作"])


class VillageAssignmentOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str
    village_id: int
    village_name: str
    township_id: int
    township_name: str
    role: AssignmentRole
    role_label: str
    sending_unit: str
    start: datetime.date
    end: datetime.date = Field(description="任期届满日期")
    status: AssignmentStatus
    ended_on: datetime.date | None
    end_reason: str


class VillageAssignmentIn(Schema):
    cadre_id: ObjectId
    village_id: ObjectId = Field(..., description="行政村党组织的 id")
    role: AssignmentRole
    sending_unit: str = Field(..., max_length=128, description="派出单位")
    start: datetime.date
    end: datetime.date = Field(..., description="任期届满日期")


class VillageEndIn(Schema):
    ended_on: datetime.date
    reason: str = Field("", max_length=200, description="任期未满提前结束时必填")


class MonthlyReportOut(Schema):
    id: int
    assignment_id: int
    month: datetime.date = Field(description="述职月份（当月1日）")
    work_done: str
    problems: str
    next_plan: str
    submitted_at: datetime.datetime


class MonthlyReportIn(Schema):
    month: datetime.date = Field(..., description="述职月份：该月任一日期，按北京时间计")
    work_done: str = Field(..., max_length=services.MAX_TEXT, description="本月工作")
    problems: str = Field("", max_length=services.MAX_TEXT, description="存在问题")
    next_plan: str = Field(..., max_length=services.MAX_TEXT, description="下月计划")


class VillageReviewOut(Schema):
    id: int
    report_id: int
    month: datetime.date
    date: datetime.date
    grade: str
    grade_label: str
    comments: str


class VillageReviewIn(Schema):
    date: datetime.date = Field(..., description="联席会议评议日期")
    grade: str = Field(
        ..., max_length=16, description="评议等次代码，默认 good/fairly_good/average/poor"
    )
    comments: str = Field("", max_length=services.MAX_TEXT, description="评议意见")


def _assignment(a: Assignment) -> dict:
    return {
        "id": a.pk,
        "cadre_id": a.cadre_id,
        "cadre_name": a.cadre.name,
        "village_id": a.village_id,
        "village_name": a.village.name,
        "township_id": a.township_id,
        "township_name": a.township.name,
        "role": a.role,
        "role_label": a.get_role_display(),
        "sending_unit": a.sending_unit,
        "start": a.start,
        "end": a.end,
        "status": a.status,
        "ended_on": a.ended_on,
        "end_reason": a.end_reason,
    }


def _report(r: MonthlyReport) -> dict:
    return {
        "id": r.pk,
        "assignment_id": r.assignment_id,
        "month": r.month,
        "work_done": r.work_done,
        "problems": r.problems,
        "next_plan": r.next_plan,
        "submitted_at": r.submitted_at,
    }


def _review(r: Review) -> dict:
    return {
        "id": r.pk,
        "report_id": r.report_id,
        "month": r.report.month,
        "date": r.date,
        "grade": r.grade.code,
        "grade_label": r.grade.name,
        "comments": r.comments,
    }


@router.get("", response=list[VillageAssignmentOut], summary="可见的驻村选派")
@paginate(Page, page_size=50)
def assignment_list(
    request,
    box: Literal["mine", "overdue", "missing", "ending"] | None = None,
    township: ObjectId | None = None,
    status: AssignmentStatus | None = None,
):
    """box=mine 本人的；overdue 逾期未交上月述职（每月5日后）；missing 尚未提交上月述职；
    ending 60日内任期届满。township 按乡镇筛选。"""
    user, today = request.user, timezone.localdate()
    qs = {
        "mine": lambda: sel.my_assignments(user=user),
        "overdue": lambda: sel.overdue(user=user, today=today),
        "missing": lambda: sel.last_month_missing(user=user, today=today),
        "ending": lambda: sel.terms_ending(user=user, today=today),
    }.get(box or "", lambda: sel.roster(user=user, today=today))()
    town = sel.township_param(user=user, value=township)
    if town is not None:
        qs = qs.filter(township=town)
    if status:
        qs = qs.filter(status=status)
    return MappedQuerySet(qs, _assignment)


class VillageTownshipCount(Schema):
    township_id: int
    township_name: str
    total: int
    villages: int
    first_secretaries: int
    team_members: int
    instructors: int
    missing: int = Field(description="尚未提交上月述职")
    overdue: int = Field(description="逾期未提交上月述职（截止日后）")
    ending: int = Field(description="60日内任期届满")


@router.get("/townships", response=list[VillageTownshipCount], summary="按乡镇统计的驻村名册")
def township_counts(request):
    rows = sel.roster_by_township(user=request.user, today=timezone.localdate())
    return [{**r, "township_name": r["township__name"]} for r in rows]


@router.post("", response={201: VillageAssignmentOut}, summary="选派驻村干部（干部科）")
def assignment_create(request, payload: VillageAssignmentIn):
    data = payload.model_dump()
    cadre = sel.cadre_for_assignment(user=request.user, pk=data.pop("cadre_id"))
    village = sel.village_for_assignment(user=request.user, pk=data.pop("village_id"))
    assignment = services.assignment_create(
        actor=request.user, cadre=cadre, village=village, **data
    )
    return Status(201, _assignment(sel.assignment_get(user=request.user, pk=assignment.pk)))


@router.get("/{int:assignment_id}", response=VillageAssignmentOut, summary="驻村选派详情")
def assignment_detail(request, assignment_id: ObjectId):
    return _assignment(sel.assignment_get(user=request.user, pk=assignment_id))


@router.post(
    "/{int:assignment_id}/end", response=VillageAssignmentOut, summary="结束驻村（干部科）"
)
def assignment_end(request, assignment_id: ObjectId, payload: VillageEndIn):
    assignment = sel.assignment_get(user=request.user, pk=assignment_id)
    return _assignment(
        services.assignment_end(
            actor=request.user,
            assignment=assignment,
            ended_on=payload.ended_on,
            reason=payload.reason,
        )
    )


@router.get(
    "/{int:assignment_id}/reports",
    response=list[MonthlyReportOut],
    summary="月度述职（一月一述职）",
)
@paginate(Page, page_size=50)
def report_list(request, assignment_id: ObjectId):
    assignment = sel.assignment_get(user=request.user, pk=assignment_id)
    return MappedQuerySet(sel.assignment_reports(user=request.user, assignment=assignment), _report)


@router.post(
    "/{int:assignment_id}/reports",
    response={201: MonthlyReportOut},
    summary="提交月度述职（驻村干部本人，或干部科代为录入）",
)
def report_create(request, assignment_id: ObjectId, payload: MonthlyReportIn):
    assignment = sel.assignment_get(user=request.user, pk=assignment_id)
    report = services.report_submit(actor=request.user, assignment=assignment, **payload.dict())
    return Status(201, _report(report))


@router.get(
    "/{int:assignment_id}/reviews",
    response=list[VillageReviewOut],
    summary="述职评议（干部科和本人可见）",
)
def review_list(request, assignment_id: ObjectId):
    assignment = sel.assignment_get(user=request.user, pk=assignment_id)
    reviews = sel.reviews_visible(user=request.user).filter(report__assignment=assignment)
    return [_review(r) for r in reviews]


@router.post(
    "/{int:assignment_id}/reports/{int:report_id}/review",
    response={201: VillageReviewOut},
    summary="记录联席会议述职评议（干部科）",
)
def review_create(request, assignment_id: ObjectId, report_id: ObjectId, payload: VillageReviewIn):
    assignment = sel.assignment_get(user=request.user, pk=assignment_id)
    report = sel.report_get(user=request.user, pk=report_id)
    if report.assignment_id != assignment.pk:
        raise Http404("未找到该对象。")
    review = services.review_record(
        actor=request.user,
        report=report,
        date=payload.date,
        grade=sel.grade_by_code(payload.grade),
        comments=payload.comments,
    )
    return Status(201, _review(review))
