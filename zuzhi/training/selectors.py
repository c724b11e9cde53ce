"""Reads of training credits: catalogue, records, and each person's and unit's progress.

Every read starts from the visible persons or records (scoping.py). Progress is computed in
the database: one subquery per person for the year's hours and courses, grouped by unit for
the unit view; no page loops over the people of its scope in Python. People are listed by
unit and name, never by hours: no ranking of individuals (DOMAIN.md §9)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from zuzhi.cadres.models import Cadre
from zuzhi.cadres.models.scoping import cadre_section_q
from zuzhi.core.params import object_id
from zuzhi.core.scope import deny, subtree_q
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization
from zuzhi.orgs.selectors import org_param

from .models import Course, Group, TrainingRecord, TrainingRequirement
from .rules import DEFAULT_REQUIREMENTS, hours_missing

HOURS = DecimalField(max_digits=8, decimal_places=2)


@dataclass(frozen=True)
class Requirement:
    group: str
    year: int
    hours: Decimal
    courses: int


def requirement_for(*, group: str, year: int) -> Requirement:
    """The year's requirement of a group: as the county set it, else the default."""
    row = TrainingRequirement.objects.filter(group=group, year=year).first()
    if row is not None:
        return Requirement(group, year, row.hours, row.courses)
    hours, courses = DEFAULT_REQUIREMENTS[group]
    return Requirement(group, year, hours, courses)


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


# --- catalogue --------------------------------------------------------------------------------
def course_list(*, year: int | None = None, q: str = "") -> QuerySet[Course]:
    courses = Course.objects.all()
    if year:
        courses = courses.filter(year=year)
    if q:
        courses = courses.filter(title__icontains=q)
    return courses


def course_get(*, pk) -> Course:
    """A course of the shared catalogue; any id that names none is not found."""
    number = object_id(pk)
    course = Course.objects.filter(pk=number).first() if number else None
    if course is None:
        raise Http404("未找到该课程。")
    return course


# --- which organizations a group's lists may be cut to -----------------------------------------
def group_org_param(*, user, group: str, value) -> Organization | None:
    """An `?org=` for a group's lists: within the cadre section's subtree for cadres, the
    data scope for members; anything else is the logged 404."""
    if group == Group.MEMBERS:
        return org_param(user=user, value=value)
    pk = object_id(value)
    if pk is None:
        return None
    q = cadre_section_q(user, "path")
    org = Organization.objects.filter(pk=pk).first()
    if org is None:
        raise Http404("未找到该对象。")
    if q is None or not Organization.objects.filter(q, pk=pk).exists():
        raise deny(user, target=org)
    return org


# --- records ----------------------------------------------------------------------------------
def record_list(
    *,
    user,
    year: int | None = None,
    group: str | None = None,
    org: Organization | None = None,
    course: Course | None = None,
    q: str = "",
) -> QuerySet[TrainingRecord]:
    """The records the user sees, newest first, filtered."""
    records = TrainingRecord.objects.visible_to(user).select_related(
        "course", "cadre__organization", "member__organization"
    )
    if year:
        records = records.filter(completed_on__range=year_bounds(year))
    if group == Group.CADRES:
        records = records.filter(cadre__isnull=False)
    elif group == Group.MEMBERS:
        records = records.filter(member__isnull=False)
    if org is not None:
        records = records.filter(
            subtree_q(org.path, "cadre__organization__path")
            | subtree_q(org.path, "member__organization__path")
        )
    if course is not None:
        records = records.filter(course=course)
    if q:
        records = records.filter(Q(cadre__name__icontains=q) | Q(member__name__icontains=q))
    return records


def record_get(*, user, pk) -> TrainingRecord:
    return TrainingRecord.objects.select_related("course").get_visible_or_404(user, pk=pk)


# --- people and progress ----------------------------------------------------------------------
def _people(user, group: str) -> QuerySet:
    if group == Group.CADRES:
        return Cadre.objects.visible_to(user).filter(is_active=True)
    return Member.objects.visible_to(user)


def _year_sum(group: str, year: int, value: str):
    person = "cadre" if group == Group.CADRES else "member"
    rows = (
        TrainingRecord.objects.filter(
            **{person: OuterRef("pk")}, completed_on__range=year_bounds(year)
        )
        .order_by()
        .values(person)
    )
    if value == "hours":
        sub = rows.annotate(total=Sum("hours")).values("total")
        return Coalesce(Subquery(sub, output_field=HOURS), Value(Decimal("0")), output_field=HOURS)
    sub = rows.annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def people_progress(
    *, user, group: str, year: int, org: Organization | None = None, q: str = ""
) -> QuerySet:
    """The persons of a group the user sees, each with `year_hours` and `year_courses`, by
    unit and name."""
    people = _people(user, group).select_related("organization")
    if org is not None:
        people = people.filter(subtree_q(org.path, "organization__path"))
    if q:
        people = people.filter(name__icontains=q)
    return people.annotate(
        year_hours=_year_sum(group, year, "hours"), year_courses=_year_sum(group, year, "count")
    ).order_by("organization__path", "name", "pk")


def _short_q(requirement: Requirement) -> Q:
    return Q(year_hours__lt=requirement.hours) | Q(year_courses__lt=requirement.courses)


def short_list(*, user, group: str, year: int, org: Organization | None = None) -> QuerySet:
    """Who has not yet met the year's requirement (未达标人员), by unit and name."""
    requirement = requirement_for(group=group, year=year)
    return people_progress(user=user, group=group, year=year, org=org).filter(_short_q(requirement))


def short_rows(*, people, requirement: Requirement) -> list[list]:
    """The reminder list as rows: name, unit, hours, courses, hours missing."""
    return [
        [
            p.name,
            p.organization.name,
            p.year_hours,
            p.year_courses,
            hours_missing(hours=p.year_hours, required=requirement.hours),
        ]
        for p in people
    ]


def unit_progress(*, user, group: str, year: int, org: Organization | None = None) -> list[dict]:
    """Per unit (the person's organization): people, total and average hours, how many met
    the requirement and how many are short. One grouped query."""
    requirement = requirement_for(group=group, year=year)
    people = people_progress(user=user, group=group, year=year, org=org)
    rows = (
        people.order_by()
        .values("organization", "organization__name", "organization__path")
        .annotate(
            people=Count("pk"),
            hours=Sum("year_hours"),
            short=Count("pk", filter=_short_q(requirement)),
        )
        .order_by("organization__path")
    )
    result = []
    for row in rows:
        hours = row["hours"] or Decimal("0")
        result.append(
            {
                "organization_id": row["organization"],
                "organization": row["organization__name"],
                "people": row["people"],
                "hours": hours,
                "average": (hours / row["people"]).quantize(Decimal("0.01")),
                "short": row["short"],
                "met": row["people"] - row["short"],
            }
        )
    return result


def own_cadre(*, user) -> Cadre | None:
    """The cadre record of the user's own account (本人), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Cadre.objects.filter(user=user).select_related("organization").first()


@dataclass
class PersonProgress:
    person: object
    requirement: Requirement
    hours: Decimal
    courses: int
    records: list

    @property
    def missing(self) -> Decimal:
        return hours_missing(hours=self.hours, required=self.requirement.hours)


def person_progress(*, user, group: str, pk, year: int) -> PersonProgress:
    """One person's year: their records and totals against the requirement; 404 outside
    what the user sees (the cadre themself sees their own)."""
    model = Cadre if group == Group.CADRES else Member
    person = model.objects.get_visible_or_404(user, pk=pk)
    field = "cadre" if group == Group.CADRES else "member"
    records = list(
        TrainingRecord.objects.filter(
            **{field: person}, completed_on__range=year_bounds(year)
        ).select_related("course")
    )
    return PersonProgress(
        person=person,
        requirement=requirement_for(group=group, year=year),
        hours=sum((r.hours for r in records), Decimal("0")),
        courses=len(records),
        records=records,
    )
