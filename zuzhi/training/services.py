"""Writes of training credits (学分制): courses, records, requirements; each audited."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import audit_bulk_record, audit_record, snapshot
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import deny

from .models import Course, Group, RecordSource, TrainingRecord, TrainingRequirement
from .rules import record_hours
from .scoping import may_manage_group, may_set_requirement, require_person_writable

COURSE_FIELDS = ("title", "mode", "minutes", "provider", "year", "has_test")
NO_RIGHT = "没有管理该类培训的权限"


def course_create(*, actor, data: dict) -> Course:
    """Add a course to the catalogue (新增培训课程). The cadre section adds courses, and so do
    county and township staff (for members' 轮训)."""
    if not (may_manage_group(actor, Group.CADRES) or may_manage_group(actor, Group.MEMBERS)):
        raise deny(actor, message=NO_RIGHT)
    course = Course(**{k: v for k, v in data.items() if k in COURSE_FIELDS})
    course.title = (course.title or "").strip()
    course.full_clean()
    with transaction.atomic():
        course.save()
        audit_record(actor=actor, action=AuditAction.CREATE, target=course, after=snapshot(course))
    return course


@dataclass
class RecordInput:
    """One completion to record: exactly one of cadre and member."""

    course: Course
    completed_on: datetime.date
    test_passed: bool = False
    cadre: object = None
    member: object = None


def record_errors(item: RecordInput, *, today: datetime.date) -> dict[str, list[str]]:
    """Why a completion cannot be recorded, by field; empty when it can."""
    errors: dict[str, list[str]] = {}
    if (item.cadre is None) == (item.member is None):
        errors["person"] = ["请选择一名干部或一名党员。"]
    if item.completed_on > today:
        errors["completed_on"] = ["完成日期不能晚于今天。"]
    if item.test_passed and not item.course.has_test:
        errors["test_passed"] = [f"课程“{item.course.title}”没有考试，不能记为考试通过。"]
    return errors


def _record(item: RecordInput, source: str) -> TrainingRecord:
    return TrainingRecord(
        cadre=item.cadre,
        member=item.member,
        course=item.course,
        completed_on=item.completed_on,
        test_passed=item.test_passed,
        hours=record_hours(minutes=item.course.minutes, test_passed=item.test_passed),
        source=source,
    )


def _org_path(item) -> str:
    """Where the audit row is read: a member's organization; for a cadre's record nowhere but
    by the audit administrator, as for every cadre record (settings.ZUZHI_AUDIT_ADMIN_ONLY_TYPES)."""
    return "" if item.cadre is not None else item.member.organization.path


def records_existing(items: list[RecordInput]) -> set[tuple[str, int, int]]:
    """The keys (record_key) of `items` already recorded."""
    cadres = {i.cadre.pk for i in items if i.cadre is not None}
    members = {i.member.pk for i in items if i.member is not None}
    courses = {i.course.pk for i in items}
    taken = set()
    rows = TrainingRecord.objects.filter(course__in=courses)
    for cadre_id, course_id in rows.filter(cadre__in=cadres).values_list("cadre", "course"):
        taken.add(("c", cadre_id, course_id))
    for member_id, course_id in rows.filter(member__in=members).values_list("member", "course"):
        taken.add(("m", member_id, course_id))
    return taken


def record_key(item: RecordInput) -> tuple[str, int, int]:
    if item.cadre is not None:
        return ("c", item.cadre.pk, item.course.pk)
    return ("m", item.member.pk, item.course.pk)


DUPLICATE = "该人员已有这门课程的学习记录。"
REPEATED = "同一人的同一门课程重复出现。"


def record_bulk_check(
    *, actor, items: list[RecordInput]
) -> tuple[list[TrainingRecord], dict[int, dict[str, list[str]]]]:
    """The records to write and the errors by item index. A person out of the actor's reach
    is the logged 404 (raised): callers resolve persons within reach first."""
    today = timezone.localdate()
    taken = records_existing([i for i in items if (i.cadre is None) != (i.member is None)])
    good, errors, seen = [], {}, set()
    for index, item in enumerate(items):
        problems = record_errors(item, today=today)
        if not problems:
            require_person_writable(actor, cadre=item.cadre, member=item.member)
            key = record_key(item)
            if key in taken:
                problems["course"] = [DUPLICATE]
            elif key in seen:
                problems["course"] = [REPEATED]
            seen.add(key)
        if problems:
            errors[index] = problems
        else:
            good.append(_record(item, RecordSource.ENTERED))
    return good, errors


def record_bulk_insert(
    *, actor, records: list[TrainingRecord], source: str = RecordSource.IMPORTED
) -> list[TrainingRecord]:
    """Write checked records (record_bulk_check) at once, one audit row each."""
    for record in records:
        record.source = source
    with transaction.atomic():
        created = TrainingRecord.objects.bulk_create(records, batch_size=2000)
        audit_bulk_record(
            actor=actor,
            action=AuditAction.CREATE,
            items=[(r, _org_path(r), snapshot(r)) for r in created],
        )
    return created


def record_create(
    *,
    actor,
    course: Course,
    completed_on: datetime.date,
    test_passed: bool = False,
    cadre=None,
    member=None,
    source: str = RecordSource.ENTERED,
) -> TrainingRecord:
    """Record one person's completion of a course (登记学习记录); 学时 by rules.record_hours."""
    item = RecordInput(
        course=course,
        completed_on=completed_on,
        test_passed=test_passed,
        cadre=cadre,
        member=member,
    )
    if (cadre is None) != (member is None):
        # Before the transaction: the refusal's audit row must outlive its rollback.
        require_person_writable(actor, cadre=cadre, member=member)
    with transaction.atomic():
        good, errors = record_bulk_check(actor=actor, items=[item])
        if errors:
            raise ValidationError(errors[0])
        record = good[0]
        record.source = source
        record.full_clean()
        record.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=record,
            org_path=_org_path(record),
            after=snapshot(record),
        )
    return record


def requirement_set(*, actor, group: str, year: int, hours: Decimal, courses: int = 0):
    """Set a group's requirement for a year (设置年度学时要求): the cadre section for cadres,
    county staff for members."""
    if not may_set_requirement(actor, group):
        raise deny(actor, message=NO_RIGHT)
    with transaction.atomic():
        current = TrainingRequirement.objects.select_for_update().filter(group=group, year=year)
        requirement = current.first() or TrainingRequirement(group=group, year=year)
        before = snapshot(requirement) if requirement.pk else None
        requirement.hours, requirement.courses = hours, courses
        requirement.full_clean()
        requirement.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            target=requirement,
            before=before,
            after=snapshot(requirement),
        )
    return requirement
