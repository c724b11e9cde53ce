"""Resident village work pages (驻村工作): roster by township, an assignment with its reports,
the monthly report form for a phone, who is overdue, terms ending, and the cadre's own
page (我的驻村). Thin over selectors and services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.core.forms import apply_service_errors

from . import rules, services
from . import selectors as sel
from .forms import AssignmentForm, EndForm, ReportForm, ReviewForm


def _require_roster(request) -> None:
    """Rosters are the cadre section's and township staff's; others get no page (a role
    check, not a scope decision about an object)."""
    if not sel.may_read_roster(user=request.user):
        raise Http404("没有可查看的驻村名册。")


def _context(request, **extra) -> dict:
    return {"may_manage": sel.may_manage(user=request.user), **extra}


@login_required
def home_view(request):
    if sel.may_read_roster(user=request.user):
        return redirect("village_work:roster")
    return redirect("village_work:mine")


@login_required
def roster_view(request):
    """驻村名册: counts by township, then the assignments (of one township with ?township=)."""
    _require_roster(request)
    today = timezone.localdate()
    township = sel.township_param(user=request.user, value=request.GET.get("township"))
    page = Paginator(sel.roster(user=request.user, today=today, township=township), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "village_work/roster.html",
        _context(
            request,
            townships=sel.roster_by_township(user=request.user, today=today),
            township=township,
            page=page,
            query=urlencode({"township": township.pk}) if township else "",
            last_month=rules.previous_month(today),
            due_day=rules.due_day(),
        ),
    )


@login_required
def overdue_view(request):
    """Who has not filed last month's report: reminders up to the due day, overdue after."""
    _require_roster(request)
    today = timezone.localdate()
    missing = sel.last_month_missing(user=request.user, today=today)
    return render(
        request,
        "village_work/overdue.html",
        _context(
            request,
            page=Paginator(missing, 100).get_page(request.GET.get("page")),
            is_overdue=rules.is_overdue_day(today),
            last_month=rules.previous_month(today),
            due_day=rules.due_day(),
        ),
    )


@login_required
def ending_view(request):
    _require_roster(request)
    today = timezone.localdate()
    return render(
        request,
        "village_work/ending.html",
        _context(
            request,
            page=Paginator(sel.terms_ending(user=request.user, today=today), 100).get_page(
                request.GET.get("page")
            ),
            days=rules.term_ending_days(),
            today=today,
        ),
    )


@login_required
def mine_view(request):
    """我的驻村: the cadre's own assignments, what to file now, their reports and reviews."""
    today = timezone.localdate()
    assignments = list(sel.my_assignments(user=request.user))
    reports = list(sel.my_reports(user=request.user).order_by("-month")[:24])
    reviews = sel.reviews_of(user=request.user, reports=reports)
    for report in reports:
        report.review_shown = reviews.get(report.pk)
    for a in assignments:
        a.next_month = sel.report_months(assignment=a, today=today)[:1]
    return render(
        request,
        "village_work/mine.html",
        {"assignments": assignments, "reports": reports, "due_day": rules.due_day()},
    )


@login_required
def assignment_create_view(request):
    if not sel.may_manage(user=request.user):
        raise Http404("驻村干部由县委组织部干部科选派。")
    form = AssignmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已选派。")
            return redirect("village_work:assignment_detail", assignment_id=assignment.pk)
    return render(request, "village_work/assignment_form.html", _context(request, form=form))


@login_required
def assignment_detail_view(request, assignment_id):
    user = request.user
    assignment = sel.assignment_get(user=user, pk=assignment_id)
    today = timezone.localdate()
    reports = list(sel.assignment_reports(user=user, assignment=assignment))
    reviews = sel.reviews_of(user=user, reports=reports)
    for report in reports:
        report.review_shown = reviews.get(report.pk)
    may_review = sel.may_review(user=user, assignment=assignment)
    return render(
        request,
        "village_work/assignment_detail.html",
        _context(
            request,
            assignment=assignment,
            reports=reports,
            may_review=may_review,
            may_end=may_review and assignment.status == "active",
            may_report=sel.may_report(user=user, assignment=assignment)
            and bool(sel.report_months(assignment=assignment, today=today)),
            review_form=ReviewForm(grades=sel.grades(), initial={"date": today}),
            end_form=EndForm(initial={"ended_on": today}),
        ),
    )


@login_required
def report_create_view(request, assignment_id):
    """一月一述职 on a phone: the month preselected, three text boxes, one button."""
    assignment = sel.assignment_get(user=request.user, pk=assignment_id)
    # Seen (township staff) but not theirs to file: the logged 404.
    services.require_reporter(request.user, assignment)
    today = timezone.localdate()
    months = sel.report_months(assignment=assignment, today=today)
    initial = {"month": sel.default_report_month(assignment=assignment, today=today).isoformat()}
    form = ReportForm(request.POST or None, months=months, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_submit(
                actor=request.user, assignment=assignment, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{report.month:%Y年%m月}述职已提交。")
            own = assignment.cadre.user_id == request.user.pk
            if own:
                return redirect("village_work:mine")
            return redirect("village_work:assignment_detail", assignment_id=assignment.pk)
    return render(
        request,
        "village_work/report_form.html",
        {"assignment": assignment, "form": form, "has_months": bool(months)},
    )


def _fail(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_POST
def assignment_end_view(request, assignment_id):
    assignment = sel.assignment_get(user=request.user, pk=assignment_id)
    services.require_manager(request.user, assignment)
    form = EndForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写结束日期。")
        services.assignment_end(
            actor=request.user,
            assignment=assignment,
            ended_on=form.cleaned_data["ended_on"],
            reason=form.cleaned_data["end_reason"],
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, "已结束驻村。")
    return redirect("village_work:assignment_detail", assignment_id=assignment.pk)


@login_required
@require_POST
def review_create_view(request, assignment_id, report_id):
    assignment = sel.assignment_get(user=request.user, pk=assignment_id)
    report = sel.report_get(user=request.user, pk=report_id)
    if report.assignment_id != assignment.pk:
        raise Http404("未找到该对象。")
    services.require_manager(request.user, assignment)
    form = ReviewForm(request.POST, grades=sel.grades())
    try:
        if not form.is_valid():
            raise ValidationError("请填写评议日期并选择评议等次。")
        services.review_record(
            actor=request.user,
            report=report,
            date=form.cleaned_data["date"],
            grade=sel.grade_by_code(form.cleaned_data["grade"]),
            comments=form.cleaned_data["comments"],
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, f"{report.month:%Y年%m月}述职评议已记录。")
    return redirect("village_work:assignment_detail", assignment_id=assignment.pk)
