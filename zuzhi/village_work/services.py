"""Writes of resident village work (驻村工作), each validated, locked and audited in one
transaction.

Who writes:
- assign and end an assignment: the cadre section (`cadre_staff`) over the village;
- file a monthly report (一月一述职): the assigned cadre's own account (from a phone), or the
  cadre section over the village on their behalf (a report handed in on paper);
- record a review (述职评议) of the monthly joint meeting: the cadre section over the village
  only. A review becomes an entry of the cadre's performance archive, which is the cadre
  section's (issue #14 part 9), so township staff, who see the roster and the reports, neither
  record nor read reviews.
Anyone else gets the logged 404 (a lookup through scoping.py, or `deny`).

Audit rows carry no organization path: resident cadres' records are cadre data, read in the
log by the audit administrator only (settings.ZUZHI_AUDIT_ADMIN_ONLY_TYPES).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.cadres.models import Cadre
from zuzhi.cadres.models.scoping import in_cadre_section, require_cadre_section
from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.errors import RuleRefused
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user, ancestor_paths, deny
from zuzhi.orgs.models import Organization, UnitCategory

from . import archive_link, rules
from .models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    MonthlyReport,
    Review,
    ReviewGrade,
)

AUDIT_ORG_PATH = ""
MAX_TEXT = 2000
TOWNSHIP_CATEGORIES = (UnitCategory.TOWNSHIP, UnitCategory.SUBDISTRICT)
ASSIGNMENT_FIELDS = [
    "cadre",
    "village",
    "township",
    "role",
    "sending_unit",
    "start",
    "end",
    "status",
    "ended_on",
    "end_reason",
]
REPORT_FIELDS = ["assignment", "month", "work_done", "problems", "next_plan", "submitted_by"]
REVIEW_FIELDS = ["report", "date", "grade", "comments", "reviewed_by"]


def _text(value) -> str:
    return (value or "").replace("\x00", "").strip()


def _too_long(errors: dict, field: str, value: str, label: str, limit: int = MAX_TEXT) -> None:
    if len(value) > limit:
        errors[field] = [f"{label}不超过 {limit} 字。"]


def _township_of(village: Organization) -> Organization | None:
    """The nearest township (乡镇/街道) above the village."""
    return (
        Organization.objects.filter(
            path__in=ancestor_paths(village.path), unit_category__in=TOWNSHIP_CATEGORIES
        )
        .order_by("-depth")
        .first()
    )


def assignment_create(
    *,
    actor,
    cadre: Cadre,
    village: Organization,
    role: str,
    sending_unit: str,
    start: datetime.date,
    end: datetime.date,
) -> Assignment:
    """Assign a cadre to a village for a term (选派驻村)."""
    require_cadre_section(
        actor, village.path, target=village, message="试图向权限范围以外的村选派驻村干部"
    )
    require_cadre_section(actor, cadre.organization.path, target=cadre)
    sending_unit = _text(sending_unit)
    errors: dict[str, list[str]] = {}
    if village.unit_category != UnitCategory.VILLAGE:
        errors["village"] = ["驻村须选择行政村。"]
    township = _township_of(village)
    if township is None and "village" not in errors:
        errors["village"] = ["该村不在任何乡镇（街道）之下，请先核对组织关系。"]
    if role not in AssignmentRole.values:
        errors["role"] = ["请选择驻村身份（第一书记、工作队员或乡村振兴指导员）。"]
    if not sending_unit:
        errors["sending_unit"] = ["请填写派出单位。"]
    _too_long(errors, "sending_unit", sending_unit, "派出单位", 128)
    if start and end and end < start:
        errors["end"] = ["任期届满日期不能早于任期开始日期。"]
    if not cadre.is_active:
        errors["cadre"] = ["已不在职的干部不能选派驻村。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Cadre.objects.select_for_update().get(pk=cadre.pk)
        current = Assignment.objects.filter(cadre=cadre, status=AssignmentStatus.ACTIVE).first()
        if current is not None:
            raise ValidationError(
                {"cadre": [f"{cadre.name}正在{current.village.name}驻村，须先结束该选派。"]}
            )
        assignment = Assignment(
            cadre=cadre,
            village=village,
            township=township,
            role=role,
            sending_unit=sending_unit,
            start=start,
            end=end,
        )
        assignment.full_clean()
        assignment.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=assignment,
            org_path=AUDIT_ORG_PATH,
            after=snapshot(assignment, ASSIGNMENT_FIELDS),
            message="选派驻村干部",
        )
    return assignment


def assignment_end(
    *, actor, assignment: Assignment, ended_on: datetime.date, reason: str
) -> Assignment:
    """End an assignment (结束驻村): at the term's end, or early with a reason (召回, 调整)."""
    require_manager(actor, assignment)
    reason = _text(reason)
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.status != AssignmentStatus.ACTIVE:
            raise RuleRefused("该驻村选派已结束。", status=409)
        errors: dict[str, list[str]] = {}
        if ended_on < assignment.start:
            errors["ended_on"] = ["结束日期不能早于任期开始日期。"]
        if ended_on > timezone.localdate():
            errors["ended_on"] = ["结束日期不能晚于今天：到期结束请在届满后办理。"]
        if ended_on < assignment.end and not reason:
            errors["end_reason"] = ["任期未满提前结束，须写明原因。"]
        _too_long(errors, "end_reason", reason, "结束原因", 200)
        reported = assignment.reports.filter(month__gt=rules.month_start(ended_on)).first()
        if reported is not None and "ended_on" not in errors:
            errors["ended_on"] = [f"已有{reported.month:%Y年%m月}的述职，结束日期不能早于该月。"]
        if errors:
            raise ValidationError(errors)
        before = snapshot(assignment, ["status", "ended_on", "end_reason"])
        assignment.status = AssignmentStatus.ENDED
        assignment.ended_on = ended_on
        assignment.end_reason = reason
        assignment.save(update_fields=["status", "ended_on", "end_reason"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=assignment,
            org_path=AUDIT_ORG_PATH,
            before=before,
            after=snapshot(assignment, ["status", "ended_on", "end_reason"]),
            message="结束驻村",
        )
    return assignment


def require_manager(actor, assignment: Assignment) -> None:
    """The cadre section over the assignment's village (ends, reviews); else the logged 404."""
    require_cadre_section(
        actor, assignment.village.path, target=assignment, message="试图办理权限范围以外的驻村事项"
    )


def require_reporter(actor, assignment: Assignment) -> None:
    """The assigned cadre's own account, or the cadre section over the village; anyone else
    (another cadre, township staff) is the logged 404."""
    own = getattr(actor, "is_authenticated", False) and assignment.cadre.user_id == actor.pk
    if own or in_cadre_section(actor, assignment.village.path):
        return
    raise deny(actor, target=assignment, message="试图代他人提交驻村月度述职")


def report_submit(
    *,
    actor,
    assignment: Assignment,
    month: datetime.date,
    work_done: str,
    problems: str = "",
    next_plan: str,
) -> MonthlyReport:
    """File the monthly report (一月一述职) for `month` (any day of it; kept as its first day).
    Months are Asia/Shanghai months (the project's TIME_ZONE): the current one may be filed,
    a later one may not; the term must cover the month; one report per month."""
    require_reporter(actor, assignment)
    month = rules.month_start(month)
    work_done, problems, next_plan = _text(work_done), _text(problems), _text(next_plan)
    errors: dict[str, list[str]] = {}
    if not work_done:
        errors["work_done"] = ["请填写本月做了哪些工作。"]
    if not next_plan:
        errors["next_plan"] = ["请填写下月工作计划。"]
    _too_long(errors, "work_done", work_done, "本月工作")
    _too_long(errors, "problems", problems, "存在问题")
    _too_long(errors, "next_plan", next_plan, "下月计划")
    if month > rules.month_start(timezone.localdate()):
        errors["month"] = ["不能提前提交以后月份的述职。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if not rules.term_covers(start=assignment.start, last_day=assignment.last_day, month=month):
            raise ValidationError(
                {
                    "month": [
                        f"{month:%Y年%m月}不在驻村任期（{assignment.start:%Y-%m-%d}至"
                        f"{assignment.last_day:%Y-%m-%d}）内，不能提交该月述职。"
                    ]
                }
            )
        if assignment.reports.filter(month=month).exists():
            raise ValidationError({"month": [f"{month:%Y年%m月}的述职已经提交，不能重复提交。"]})
        report = MonthlyReport(
            assignment=assignment,
            month=month,
            work_done=work_done,
            problems=problems,
            next_plan=next_plan,
            submitted_by=acting_user(actor),
        )
        report.full_clean()
        report.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=report,
            org_path=AUDIT_ORG_PATH,
            after=snapshot(report, REPORT_FIELDS),
            message="提交驻村月度述职",
        )
    return report


def review_record(
    *,
    actor,
    report: MonthlyReport,
    date: datetime.date,
    grade: ReviewGrade,
    comments: str = "",
) -> Review:
    """Record the joint meeting's review of a report (述职评议), once; then the hook that
    makes it an archive entry (archive_link.review_recorded), in the same transaction."""
    assignment = report.assignment
    require_cadre_section(
        actor, assignment.village.path, target=report, message="试图评议权限范围以外的驻村述职"
    )
    comments = _text(comments)
    errors: dict[str, list[str]] = {}
    if not grade.is_active:
        errors["grade"] = ["该评议等次已停用。"]
    if date < report.month:
        errors["date"] = ["评议日期不能早于述职月份。"]
    if date > timezone.localdate():
        errors["date"] = ["评议日期不能晚于今天。"]
    _too_long(errors, "comments", comments, "评议意见")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        if Review.objects.filter(report=report).exists():
            raise RuleRefused("该月述职已经评议。", status=409)
        review = Review(
            report=report,
            date=date,
            grade=grade,
            comments=comments,
            reviewed_by=acting_user(actor),
        )
        review.full_clean()
        review.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=review,
            org_path=AUDIT_ORG_PATH,
            after=snapshot(review, REVIEW_FIELDS),
            message=f"驻村述职评议：{grade.name}",
        )
        archive_link.review_recorded(actor=actor, review=review)
    return review
