"""Reserve training API (后备力量培养, /api/reserve-training): mentor pairs, mentoring days and
training records, through the same selectors and services as the pages. County and township
staff only; anything outside the user's scope is the logged 404."""

import datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page
from zuzhi.core.params import ObjectId
from zuzhi.orgs.selectors import org_param
from zuzhi.reserves import selectors as reserve_sel
from zuzhi.reserves.scoping import require_reserve_manager
from zuzhi.training.selectors import course_get

from . import selectors as sel
from . import services
from .models import MentoringActivity, MentorKind

router = Router(tags=["后备力量培养"])


class ReserveMentorshipOut(Schema):
    id: int
    reserve_id: int
    reserve_name: str = Field(..., alias="reserve.name")
    village_id: int = Field(..., alias="reserve.village_id")
    village_name: str = Field(..., alias="reserve.village.name")
    mentor_kind: MentorKind
    mentor_member_id: int | None = Field(description="导师为本村党员时的党员 id")
    mentor_assignment_id: int | None = Field(description="导师为驻村第一书记时的选派 id")
    mentor_name: str
    mentor_title: str
    started_on: datetime.date
    ended_on: datetime.date | None
    end_reason: str


class ReserveMentorshipIn(Schema):
    reserve_id: ObjectId = Field(..., description="已入库的后备力量")
    mentor_member_id: ObjectId | None = Field(
        None, description="本村党员（含村党组织班子成员）的 id；与 mentor_assignment_id 二选一"
    )
    mentor_assignment_id: ObjectId | None = Field(None, description="本村在岗驻村第一书记的选派 id")
    started_on: datetime.date


class ReserveMentorshipEndIn(Schema):
    ended_on: datetime.date
    reason: str = Field("", max_length=200)


class ReserveMentorshipFilters(Schema):
    township: ObjectId | None = None
    village: ObjectId | None = None
    current: bool | None = Field(None, description="true 只看当前结对，false 只看已结束的")


class ReserveMentoringDayOut(Schema):
    id: int
    mentorship_id: int
    reserve_name: str = Field(..., alias="mentorship.reserve.name")
    date: datetime.date
    activity: MentoringActivity
    content: str


class ReserveMentoringDayIn(Schema):
    mentorship_id: ObjectId
    date: datetime.date
    activity: MentoringActivity
    content: str = Field(..., max_length=200, description="一句话帮带内容")


class ReserveMentoringDayFilters(Schema):
    mentorship: ObjectId | None = None
    month: datetime.date | None = Field(None, description="该日期所在的月份")


class ReserveTrainingRecordOut(Schema):
    id: int
    reserve_id: int
    reserve_name: str = Field(..., alias="reserve.name")
    course_id: int
    course_title: str = Field(..., alias="course.title")
    completed_on: datetime.date
    test_passed: bool
    hours: Decimal = Field(description="按学分制规则计算的学时")


class ReserveTrainingRecordIn(Schema):
    reserve_id: ObjectId
    course_id: ObjectId
    completed_on: datetime.date
    test_passed: bool = False


class ReserveTrainingRecordFilters(Schema):
    reserve: ObjectId | None = None
    year: int | None = Field(None, ge=2000, le=2100)


# --- mentor pairs -----------------------------------------------------------------------------
@router.get("/mentorships", response=list[ReserveMentorshipOut], summary="以老带新结对")
@paginate(Page, page_size=50)
def mentorship_list(request, filters: Query[ReserveMentorshipFilters]):
    require_reserve_manager(request.user)
    return sel.mentorship_list(
        user=request.user,
        township=org_param(user=request.user, value=filters.township),
        village=org_param(user=request.user, value=filters.village),
        current=filters.current,
    )


@router.post("/mentorships", response={201: ReserveMentorshipOut}, summary="配备导师")
def mentorship_create(request, payload: ReserveMentorshipIn):
    require_reserve_manager(request.user)
    reserve = reserve_sel.candidate_get(user=request.user, pk=payload.reserve_id)
    if payload.mentor_member_id and not payload.mentor_assignment_id:
        mentor = f"m{payload.mentor_member_id}"
    elif payload.mentor_assignment_id and not payload.mentor_member_id:
        mentor = f"a{payload.mentor_assignment_id}"
    else:
        mentor = ""  # neither or both: the service asks for one mentor
    pair = services.mentorship_create(
        actor=request.user, reserve=reserve, mentor=mentor, started_on=payload.started_on
    )
    return Status(201, sel.mentorship_get(user=request.user, pk=pair.pk))


@router.get("/mentorships/{int:mentorship_id}", response=ReserveMentorshipOut, summary="结对详情")
def mentorship_detail(request, mentorship_id: ObjectId):
    return sel.mentorship_get(user=request.user, pk=mentorship_id)


@router.post(
    "/mentorships/{int:mentorship_id}/end", response=ReserveMentorshipOut, summary="结束结对"
)
def mentorship_end(request, mentorship_id: ObjectId, payload: ReserveMentorshipEndIn):
    pair = sel.mentorship_get(user=request.user, pk=mentorship_id)
    services.mentorship_end(
        actor=request.user, mentorship=pair, ended_on=payload.ended_on, reason=payload.reason
    )
    return sel.mentorship_get(user=request.user, pk=mentorship_id)


# --- mentoring days ---------------------------------------------------------------------------
@router.get("/mentoring-days", response=list[ReserveMentoringDayOut], summary="帮带日记录")
@paginate(Page, page_size=50)
def mentoring_day_list(request, filters: Query[ReserveMentoringDayFilters]):
    require_reserve_manager(request.user)
    pair = (
        sel.mentorship_get(user=request.user, pk=filters.mentorship) if filters.mentorship else None
    )
    return sel.mentoring_days(user=request.user, mentorship=pair, month=filters.month)


@router.post("/mentoring-days", response={201: ReserveMentoringDayOut}, summary="记录帮带日")
def mentoring_day_create(request, payload: ReserveMentoringDayIn):
    require_reserve_manager(request.user)
    pair = sel.mentorship_get(user=request.user, pk=payload.mentorship_id)
    day = services.mentoring_day_record(
        actor=request.user,
        mentorship=pair,
        date=payload.date,
        activity=payload.activity,
        content=payload.content,
    )
    return Status(201, day)


# --- training records -------------------------------------------------------------------------
@router.get("/records", response=list[ReserveTrainingRecordOut], summary="后备力量培训记录")
@paginate(Page, page_size=50)
def record_list(request, filters: Query[ReserveTrainingRecordFilters]):
    require_reserve_manager(request.user)
    reserve = (
        reserve_sel.candidate_get(user=request.user, pk=filters.reserve)
        if filters.reserve
        else None
    )
    return sel.record_list(user=request.user, reserve=reserve, year=filters.year)


@router.post("/records", response={201: ReserveTrainingRecordOut}, summary="登记培训记录")
def record_create(request, payload: ReserveTrainingRecordIn):
    require_reserve_manager(request.user)
    record = services.record_create(
        actor=request.user,
        reserve=reserve_sel.candidate_get(user=request.user, pk=payload.reserve_id),
        course=course_get(pk=payload.course_id),
        completed_on=payload.completed_on,
        test_passed=payload.test_passed,
    )
    return Status(201, record)
