"""Writes of reserve training (后备力量培养): plans, training records, mentor pairs and
mentoring days; each scope-checked, validated and audited in one transaction. Scope checks
come before the transaction, so that the logged refusal is not rolled back with it."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zuzhi.core.audit import audit_bulk_record, audit_record, changed_fields, snapshot
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user
from zuzhi.orgs.models import Organization
from zuzhi.reserves.models import ReserveCandidate, ReserveStatus
from zuzhi.reserves.scoping import require_reserve_scope
from zuzhi.training.models import Course
from zuzhi.training.rules import record_hours

from . import selectors as sel
from .models import (
    MentoringActivity,
    MentoringDay,
    Mentorship,
    ReserveTrainingPlan,
    ReserveTrainingRecord,
)

NOT_IN_POOL = "只有已入库的后备力量才能{}（{}目前为“{}”）。"
FUTURE = "{}不能晚于今天。"


def _text(value) -> str:
    return str(value or "").replace("\x00", "").strip()


def _require_reserve(actor, reserve: ReserveCandidate) -> None:
    require_reserve_scope(actor, reserve.village.path, target=reserve)


def _require_in_pool(reserve: ReserveCandidate, doing: str) -> None:
    if reserve.status != ReserveStatus.IN_POOL:
        raise ValidationError(
            {"reserve": [NOT_IN_POOL.format(doing, reserve.name, reserve.get_status_display())]}
        )


# --- plans ------------------------------------------------------------------------------------
def _plan_clean(plan: ReserveTrainingPlan, organization: Organization) -> None:
    errors: dict[str, list[str]] = {}
    if organization.unit_category not in sel.PLAN_UNITS:
        errors["organization"] = ["培养计划由县委组织部或乡镇（街道）党（工）委制定。"]
    plan.title = _text(plan.title) or f"{plan.year}年{organization.name}村级后备力量培养计划"
    plan.note = _text(plan.note)
    if errors:
        raise ValidationError(errors)
    plan.full_clean()
    # As the database keeps it (6.00), so that the history compares like with like.
    plan.hours_required = plan.hours_required.quantize(Decimal("0.01"))


def _titles(courses) -> list[str]:
    """A plan's courses as its history shows them: by title, not by id."""
    return sorted(str(c) for c in courses)


def plan_create(
    *,
    actor,
    organization: Organization,
    year: int,
    hours_required: Decimal,
    courses: list[Course] = (),
    title: str = "",
    note: str = "",
) -> ReserveTrainingPlan:
    """Set a county's or township's training plan for a year (制定后备力量培养计划)."""
    require_reserve_scope(
        actor,
        organization.path,
        target=organization,
        message="试图为权限范围以外的单位制定培养计划",
    )
    plan = ReserveTrainingPlan(
        organization=organization,
        year=year,
        hours_required=hours_required,
        title=title,
        note=note,
        created_by=acting_user(actor),
    )
    with transaction.atomic():
        _plan_clean(plan, organization)
        plan.save()
        plan.courses.set(courses)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=plan,
            org_path=organization.path,
            after=snapshot(plan) | {"courses": _titles(courses)},
        )
    return plan


def plan_update(
    *,
    actor,
    plan: ReserveTrainingPlan,
    hours_required: Decimal,
    courses: list[Course],
    title: str = "",
    note: str = "",
) -> ReserveTrainingPlan:
    """Change a plan's 学时, courses, name or note; its organization and year stay."""
    require_reserve_scope(actor, plan.organization.path, target=plan)
    with transaction.atomic():
        plan = ReserveTrainingPlan.objects.select_for_update().get(pk=plan.pk)
        before = snapshot(plan) | {"courses": _titles(plan.courses.all())}
        plan.hours_required, plan.title, plan.note = hours_required, title, note
        _plan_clean(plan, plan.organization)
        plan.save()
        plan.courses.set(courses)
        after = snapshot(plan) | {"courses": _titles(courses)}
        before, after = changed_fields(before, after)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=plan,
            org_path=plan.organization.path,
            before=before,
            after=after,
        )
    return plan


# --- training records -------------------------------------------------------------------------
def record_create(
    *,
    actor,
    reserve: ReserveCandidate,
    course: Course,
    completed_on: datetime.date,
    test_passed: bool = False,
) -> ReserveTrainingRecord:
    """Record a reserve's completion of a course (登记后备力量培训记录); 学时 by the credit rule
    of training.rules, the same as for members and cadres."""
    _require_reserve(actor, reserve)
    errors: dict[str, list[str]] = {}
    if completed_on is None:
        errors["completed_on"] = ["请填写完成日期。"]
    elif completed_on > timezone.localdate():
        errors["completed_on"] = [FUTURE.format("完成日期")]
    if test_passed and not course.has_test:
        errors["test_passed"] = [f"课程“{course.title}”没有考试，不能记为考试通过。"]
    if ReserveTrainingRecord.objects.filter(reserve=reserve, course=course).exists():
        errors["course"] = ["该后备力量已有这门课程的学习记录。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        reserve = ReserveCandidate.objects.select_for_update().get(pk=reserve.pk)
        _require_in_pool(reserve, "登记培训记录")
        record = ReserveTrainingRecord(
            reserve=reserve,
            course=course,
            completed_on=completed_on,
            test_passed=test_passed,
            hours=record_hours(minutes=course.minutes, test_passed=test_passed),
            created_by=acting_user(actor),
        )
        record.full_clean()
        record.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=record,
            org_path=reserve.village.path,
            after=snapshot(record),
        )
    return record


# --- mentor pairs -----------------------------------------------------------------------------
WRONG_MENTOR = "导师应为{}的村党组织班子成员、本村党员或驻村第一书记。"


def mentorship_create(
    *,
    actor,
    reserve: ReserveCandidate,
    mentor: str,
    started_on: datetime.date,
) -> Mentorship:
    """Pair a pool reserve with a mentor of their village (以老带新结对): a member of the village
    branch (its committee first) or the resident first secretary. `mentor` is the key of one
    of selectors.mentor_choices ("m<member id>" or "a<assignment id>")."""
    _require_reserve(actor, reserve)
    if not mentor:
        raise ValidationError({"mentor": ["请选择一名导师。"]})
    if started_on is None:
        raise ValidationError({"started_on": ["请填写结对日期。"]})
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": [FUTURE.format("结对日期")]})
    with transaction.atomic():
        # The reserve's row is the lock: two clerks pairing the same reserve at once queue here.
        reserve = (
            ReserveCandidate.objects.select_for_update()
            .select_related("village")
            .get(pk=reserve.pk)
        )
        _require_in_pool(reserve, "配备导师")
        if Mentorship.objects.filter(reserve=reserve, ended_on__isnull=True).exists():
            raise ValidationError({"mentor": ["该后备力量已有导师，请先结束现有结对。"]})
        choice = next((c for c in sel.mentor_choices(reserve=reserve) if c.key == mentor), None)
        if choice is None:
            raise ValidationError({"mentor": [WRONG_MENTOR.format(reserve.village.name)]})
        pair = Mentorship(
            reserve=reserve,
            mentor_kind=choice.kind,
            mentor_member_id=choice.member_id,
            mentor_assignment_id=choice.assignment_id,
            mentor_name=choice.name,
            mentor_title=choice.title[:64],
            started_on=started_on,
            created_by=acting_user(actor),
        )
        pair.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                pair.save()
        except IntegrityError as exc:
            raise ValidationError({"mentor": ["该后备力量已有导师，请先结束现有结对。"]}) from exc
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=pair,
            org_path=reserve.village.path,
            after=snapshot(pair),
        )
    return pair


def mentorship_end(
    *, actor, mentorship: Mentorship, ended_on: datetime.date, reason: str = ""
) -> Mentorship:
    """End a pair (结束结对); it stays in the reserve's history."""
    require_reserve_scope(actor, mentorship.reserve.village.path, target=mentorship)
    with transaction.atomic():
        pair = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
        errors: dict[str, list[str]] = {}
        if pair.ended_on is not None:
            errors["ended_on"] = [f"该结对已于{pair.ended_on:%Y-%m-%d}结束。"]
        elif ended_on is None:
            errors["ended_on"] = ["请填写结束日期。"]
        elif ended_on > timezone.localdate():
            errors["ended_on"] = [FUTURE.format("结束日期")]
        elif ended_on < pair.started_on:
            errors["ended_on"] = [f"结束日期不能早于结对日期（{pair.started_on:%Y-%m-%d}）。"]
        elif pair.days.filter(date__gt=ended_on).exists():
            errors["ended_on"] = ["结束日期之后还有帮带记录，结束日期不能早于最后一次帮带。"]
        if errors:
            raise ValidationError(errors)
        before = snapshot(pair)
        pair.ended_on, pair.end_reason = ended_on, _text(reason)
        pair.full_clean(validate_constraints=False)
        pair.save(update_fields=["ended_on", "end_reason"])
        before, after = changed_fields(before, snapshot(pair))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=pair,
            org_path=pair.reserve.village.path,
            before=before,
            after=after,
            message="结束结对",
        )
    return pair


def on_reserves_left_pool(*, actor, candidates: list[ReserveCandidate], on, reason: str):
    """A reserve who left the pool (退出, 进入村“两委”) has no mentor any more: their open pairs
    end on that day, with the reason, in the caller's transaction (settings hook)."""
    pairs = list(
        Mentorship.objects.filter(reserve__in=candidates, ended_on__isnull=True).select_related(
            "reserve__village"
        )
    )
    for pair in pairs:
        # A mentoring day recorded after the step (a late entry) keeps the pair open to it.
        pair.ended_on = max(on, pair.started_on, *(d.date for d in pair.days.all()))
        pair.end_reason = reason[:200]
    Mentorship.objects.bulk_update(pairs, ["ended_on", "end_reason"])
    audit_bulk_record(
        actor=actor,
        action=AuditAction.UPDATE,
        items=[
            (p, p.reserve.village.path, {"ended_on": p.ended_on.isoformat(), "reason": reason})
            for p in pairs
        ],
    )


# --- mentoring days ---------------------------------------------------------------------------
def mentoring_day_record(
    *, actor, mentorship: Mentorship, date: datetime.date, activity: str, content: str
) -> MentoringDay:
    """Record a pair's mentoring day (记录帮带日): one a day per pair, within the pair's term
    and not in the future."""
    require_reserve_scope(actor, mentorship.reserve.village.path, target=mentorship)
    content = _text(content)
    with transaction.atomic():
        # The pair as it is now: ending it meanwhile closes its term.
        pair = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
        _require_in_pool(pair.reserve, "记录帮带")
        errors: dict[str, list[str]] = {}
        if activity not in MentoringActivity.values:
            errors["activity"] = ["请选择帮带形式。"]
        if not content:
            errors["content"] = ["请用一句话写明帮带内容。"]
        if date is None:
            errors["date"] = ["请填写帮带日期。"]
        elif date > timezone.localdate():
            errors["date"] = [FUTURE.format("帮带日期")]
        elif date < pair.started_on:
            errors["date"] = [f"帮带日期不能早于结对日期（{pair.started_on:%Y-%m-%d}）。"]
        elif pair.ended_on is not None and date > pair.ended_on:
            errors["date"] = [f"该结对已于{pair.ended_on:%Y-%m-%d}结束。"]
        elif MentoringDay.objects.filter(mentorship=pair, date=date).exists():
            errors["date"] = [f"该结对{date:%Y-%m-%d}已有帮带记录。"]
        if errors:
            raise ValidationError(errors)
        day = MentoringDay(
            mentorship=pair,
            date=date,
            activity=activity,
            content=content,
            created_by=acting_user(actor),
        )
        day.full_clean(validate_constraints=False)
        day.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=day,
            org_path=mentorship.reserve.village.path,
            after=snapshot(day),
        )
    day.mentorship = mentorship
    return day
