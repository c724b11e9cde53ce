"""/api/training (教育培训): courses, records, progress. Thin over selectors and services."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import PlainSerializer

from zuzhi.cadres.models import Cadre
from zuzhi.cadres.models.scoping import is_cadre_staff
from zuzhi.core.paging import Page
from zuzhi.core.params import ObjectId, QueryText
from zuzhi.members.models import Member

from . import selectors, services
from .models import CourseMode, Group, RecordSource

router = Router(tags=["教育培训"])

# 学时 always with two decimals ("1.50"), whatever the database's Decimal looks like.
Hours = Annotated[
    Decimal,
    PlainSerializer(lambda d: f"{Decimal(d).quantize(Decimal('0.01'))}", return_type=str),
]
Year = Annotated[int, Field(ge=2000, le=2100)] | None
GroupName = Literal["cadres", "members"]


def _year(year: int | None) -> int:
    return year or timezone.localdate().year


class CourseOut(Schema):
    id: int
    title: str
    mode: CourseMode
    minutes: int
    provider: str
    year: int
    has_test: bool


class CourseIn(Schema):
    title: str = Field(..., max_length=200)
    mode: CourseMode
    minutes: int = Field(..., ge=1, le=1440)
    year: int = Field(..., ge=2000, le=2100)
    provider: str = Field("", max_length=128)
    has_test: bool = False


class CourseFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    q: QueryText = ""


class RecordOut(Schema):
    id: int
    group: GroupName
    cadre_id: int | None
    member_id: int | None
    person_name: str
    organization_name: str
    course_id: int
    course_title: str = Field(..., alias="course.title")
    completed_on: datetime.date
    test_passed: bool
    hours: Hours
    source: RecordSource

    @staticmethod
    def resolve_person_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_organization_name(obj):
        return obj.person.organization.name


class RecordIn(Schema):
    course_id: ObjectId
    cadre_id: ObjectId | None = Field(None, description="干部与党员二选一")
    member_id: ObjectId | None = None
    completed_on: datetime.date
    test_passed: bool = False


class RecordFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    group: GroupName | None = None
    org: ObjectId | None = None
    course: ObjectId | None = None
    q: QueryText = ""


class ProgressFilters(Schema):
    group: GroupName = "cadres"
    year: int | None = Field(None, ge=2000, le=2100)
    org: ObjectId | None = None
    q: QueryText = ""
    short: bool = Field(False, description="只列未达到年度要求的人员（提醒名单）")


class PersonProgressOut(Schema):
    id: int
    name: str
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    hours: Hours = Field(..., alias="year_hours")
    courses: int = Field(..., alias="year_courses")


class RequirementOut(Schema):
    group: GroupName
    year: int
    hours: Hours
    courses: int


class RequirementIn(RequirementOut):
    year: int = Field(..., ge=2000, le=2100)
    hours: Hours = Field(..., ge=0, le=1000, decimal_places=2)
    courses: int = Field(0, ge=0, le=1000)


class UnitProgressOut(Schema):
    organization_id: int
    organization: str
    people: int
    hours: Hours
    average: Hours
    met: int
    short: int


class UnitsOut(Schema):
    requirement: RequirementOut
    units: list[UnitProgressOut]


class OneProgressOut(Schema):
    id: int
    name: str
    requirement: RequirementOut
    hours: Hours
    courses: int
    missing: Hours
    records: list[RecordOut]


@router.get("/courses", response=list[CourseOut], summary="课程库")
@paginate(Page, page_size=50)
def course_list(request, filters: Query[CourseFilters]):
    return selectors.course_list(year=filters.year, q=filters.q)


@router.post("/courses", response={201: CourseOut}, summary="新增课程")
def course_create(request, payload: CourseIn):
    return Status(201, services.course_create(actor=request.user, data=payload.dict()))


@router.get("/records", response=list[RecordOut], summary="学习记录")
@paginate(Page, page_size=50)
def record_list(request, filters: Query[RecordFilters]):
    group = filters.group or (Group.CADRES if is_cadre_staff(request.user) else Group.MEMBERS)
    org = selectors.group_org_param(user=request.user, group=group, value=filters.org)
    course = selectors.course_get(pk=filters.course) if filters.course else None
    return selectors.record_list(
        user=request.user,
        year=filters.year,
        group=filters.group,
        org=org,
        course=course,
        q=filters.q,
    )


@router.post("/records", response={201: RecordOut}, summary="登记学习记录")
def record_create(request, payload: RecordIn):
    course = selectors.course_get(pk=payload.course_id)
    cadre = (
        Cadre.objects.get_visible_or_404(request.user, pk=payload.cadre_id)
        if payload.cadre_id
        else None
    )
    member = (
        Member.objects.get_visible_or_404(request.user, pk=payload.member_id)
        if payload.member_id
        else None
    )
    record = services.record_create(
        actor=request.user,
        course=course,
        cadre=cadre,
        member=member,
        completed_on=payload.completed_on,
        test_passed=payload.test_passed,
    )
    return Status(201, record)


@router.get("/progress/people", response=list[PersonProgressOut], summary="个人学时进度")
@paginate(Page, page_size=50)
def people_progress(request, filters: Query[ProgressFilters]):
    year = _year(filters.year)
    org = selectors.group_org_param(user=request.user, group=filters.group, value=filters.org)
    if filters.short:
        return selectors.short_list(user=request.user, group=filters.group, year=year, org=org)
    return selectors.people_progress(
        user=request.user, group=filters.group, year=year, org=org, q=filters.q
    )


@router.get("/progress/units", response=UnitsOut, summary="各单位学时进度")
def unit_progress(request, filters: Query[ProgressFilters]):
    year = _year(filters.year)
    org = selectors.group_org_param(user=request.user, group=filters.group, value=filters.org)
    return {
        "requirement": selectors.requirement_for(group=filters.group, year=year),
        "units": selectors.unit_progress(
            user=request.user, group=filters.group, year=year, org=org
        ),
    }


def _one(progress) -> dict:
    return {
        "id": progress.person.pk,
        "name": progress.person.name,
        "requirement": progress.requirement,
        "hours": progress.hours,
        "courses": progress.courses,
        "missing": progress.missing,
        "records": progress.records,
    }


@router.get("/progress/cadres/{int:cadre_id}", response=OneProgressOut, summary="干部本年度学时")
def cadre_progress(request, cadre_id: ObjectId, year: Year = None):
    return _one(
        selectors.person_progress(
            user=request.user, group=Group.CADRES, pk=cadre_id, year=_year(year)
        )
    )


@router.get("/progress/members/{int:member_id}", response=OneProgressOut, summary="党员本年度培训")
def member_progress(request, member_id: ObjectId, year: Year = None):
    return _one(
        selectors.person_progress(
            user=request.user, group=Group.MEMBERS, pk=member_id, year=_year(year)
        )
    )


@router.get("/requirements", response=RequirementOut, summary="年度学时要求")
def requirement_get(request, group: GroupName = "cadres", year: Year = None):
    return selectors.requirement_for(group=group, year=_year(year))


@router.post("/requirements", response=RequirementOut, summary="设置年度学时要求")
def requirement_set(request, payload: RequirementIn):
    return services.requirement_set(actor=request.user, **payload.dict())
