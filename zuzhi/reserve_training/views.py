"""Pages of reserve training (后备力量培养): the phone board of pairs with the one-tap
mentoring day, a reserve's mentor and training, the month view and its export, progress
against the plan, and the plans. Thin over selectors and services."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone

from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import text_param
from zuzhi.orgs.selectors import org_param
from zuzhi.reserves import selectors as reserve_sel
from zuzhi.reserves.scoping import require_reserve_manager
from zuzhi.training.models import Course

from . import selectors as sel
from . import services
from .forms import MentorForm, MentoringDayForm, MentorshipEndForm, PlanForm, RecordForm

PAGE_SIZE = 50
# A reserve's page shows the latest mentoring days; a year of monthly days at most.
RECENT_DAYS = 12


def _place(request) -> dict:
    return {
        "township": org_param(user=request.user, value=request.GET.get("township")),
        "village": org_param(user=request.user, value=request.GET.get("village")),
    }


def _query(values: dict) -> str:
    return urlencode({k: getattr(v, "pk", v) for k, v in values.items() if v not in (None, "")})


def _month_param(request) -> datetime.date:
    """`month=2026-05`; this month (Asia/Shanghai) when absent or malformed."""
    try:
        return datetime.datetime.strptime(text_param(request.GET, "month"), "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def _year_param(request) -> int:
    raw = text_param(request.GET, "year")
    year = int(raw) if raw.isascii() and raw.isdigit() else 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _place_choices(request, place: dict) -> dict:
    return reserve_sel.place_filters(
        user=request.user, village=place["village"], township=place["township"]
    )


# --- the phone pages --------------------------------------------------------------------------
@login_required
def board_view(request):
    """My reserves with their mentor; one tap records this month's mentoring day."""
    require_reserve_manager(request.user)
    place, today = _place(request), timezone.localdate()
    page = _page(request, sel.pairs_board(user=request.user, today=today, **place))
    return render(
        request,
        "reserve_training/board.html",
        {"page": page, "today": today, "filters": place, "query": _query(place)}
        | _place_choices(request, place),
    )


@login_required
def day_create_view(request, mentorship_id):
    pair = sel.mentorship_get(user=request.user, pk=mentorship_id)
    form = MentoringDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentoring_day_record(
                actor=request.user,
                mentorship=sel.mentorship_get(user=request.user, pk=mentorship_id),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已记录{pair.reserve.name}的帮带日。")
            return redirect("reserve_training:board")
    return render(request, "reserve_training/day_form.html", {"form": form, "pair": pair})


# --- a reserve's mentor and training ----------------------------------------------------------
@login_required
def reserve_view(request, reserve_id):
    reserve = reserve_sel.candidate_get(user=request.user, pk=reserve_id)
    year = _year_param(request)
    records = list(sel.record_list(user=request.user, reserve=reserve, year=year))
    plan = sel.plan_for(reserve=reserve, year=year)
    done = sum((r.hours for r in records), start=0)
    return render(
        request,
        "reserve_training/reserve.html",
        {
            "reserve": reserve,
            "year": year,
            "pairs": sel.reserve_mentorships(user=request.user, reserve=reserve),
            "days": sel.mentoring_days(user=request.user, reserve=reserve)[:RECENT_DAYS],
            "records": records,
            "plan": plan,
            "hours_done": done,
        },
    )


@login_required
def mentor_assign_view(request, reserve_id):
    reserve = reserve_sel.candidate_get(user=request.user, pk=reserve_id)
    form = MentorForm(request.POST or None, choices=sel.mentor_choices(reserve=reserve))
    if request.method == "POST" and form.is_valid():
        try:
            services.mentorship_create(
                actor=request.user,
                reserve=reserve_sel.candidate_get(user=request.user, pk=reserve_id),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, rename={"reserve": "mentor"})
        else:
            messages.success(request, "已结对。")
            return redirect("reserve_training:reserve", reserve_id=reserve.pk)
    return render(
        request,
        "reserve_training/form.html",
        {"form": form, "title": f"为{reserve.name}配备导师", "submit": "结对", "reserve": reserve},
    )


@login_required
def mentorship_end_view(request, mentorship_id):
    pair = sel.mentorship_get(user=request.user, pk=mentorship_id)
    form = MentorshipEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentorship_end(actor=request.user, mentorship=pair, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "结对已结束，记录保留在历史中。")
            return redirect("reserve_training:reserve", reserve_id=pair.reserve_id)
    return render(
        request,
        "reserve_training/form.html",
        {"form": form, "title": f"结束结对：{pair}", "submit": "结束结对", "reserve": pair.reserve},
    )


@login_required
def record_create_view(request, reserve_id):
    reserve = reserve_sel.candidate_get(user=request.user, pk=reserve_id)
    courses = sel.course_choices(reserve=reserve, year=timezone.localdate().year)
    form = RecordForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_create(actor=request.user, reserve=reserve, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc, rename={"reserve": "course"})
        else:
            messages.success(request, "已登记培训记录。")
            return redirect("reserve_training:reserve", reserve_id=reserve.pk)
    return render(
        request,
        "reserve_training/form.html",
        {
            "form": form,
            "title": f"登记培训记录：{reserve.name}",
            "submit": "登记",
            "reserve": reserve,
        },
    )


# --- county and township views ----------------------------------------------------------------
def _month_context(request):
    place, month = _place(request), _month_param(request)
    pairs = sel.month_pairs(user=request.user, month=month, **place)
    return place, month, pairs


@login_required
def month_view(request):
    """Which pairs have no mentoring day in the month (本月未开展帮带的结对)."""
    require_reserve_manager(request.user)
    place, month, pairs = _month_context(request)
    query = _query(place | {"month": f"{month:%Y-%m}"})
    return render(
        request,
        "reserve_training/month.html",
        {
            "page": _page(request, sel.month_missing(pairs=pairs)),
            "summary": sel.month_summary(pairs=pairs),
            "by_township": sel.month_by_township(pairs=pairs),
            "month": month,
            "filters": place,
            "query": query,
        }
        | _place_choices(request, place),
    )


MONTH_HEADERS = ["乡镇", "村（社区）", "后备力量", "导师", "导师职务", "结对日期", "本月帮带次数"]


@login_required
def month_export_view(request):
    require_reserve_manager(request.user)
    place, month, pairs = _month_context(request)
    rows = (
        [
            p.reserve.village.parent.name if p.reserve.village.parent else "",
            p.reserve.village.name,
            p.reserve.name,
            p.mentor_name,
            p.mentor_title,
            p.started_on,
            p.days_in_month,
        ]
        for p in sel.month_missing(pairs=pairs).iterator()
    )
    return xlsx_response(
        actor=request.user,
        filename=f"{month:%Y年%m月}未开展帮带的结对",
        headers=MONTH_HEADERS,
        rows=rows,
        target_type="reserve_training.mentorship",
    )


@login_required
def progress_view(request):
    """Each pool reserve's 学时 of the year against their plan."""
    require_reserve_manager(request.user)
    place, year = _place(request), _year_param(request)
    page = _page(request, sel.progress(user=request.user, year=year, **place))
    return render(
        request,
        "reserve_training/progress.html",
        {"page": page, "year": year, "filters": place, "query": _query(place | {"year": year})}
        | _place_choices(request, place),
    )


@login_required
def plan_list_view(request):
    require_reserve_manager(request.user)
    page = _page(request, sel.plan_list(user=request.user))
    return render(request, "reserve_training/plans.html", {"page": page, "query": ""})


def _plan_courses(plan=None):
    """The catalogue of this year and the last, and the plan's own courses whatever their year."""
    q = Q(year__gte=timezone.localdate().year - 1)
    if plan is not None:
        q |= Q(pk__in=plan.courses.values("pk"))
    return Course.objects.filter(q).order_by("-year", "title")


@login_required
def plan_create_view(request):
    require_reserve_manager(request.user)
    form = PlanForm(
        request.POST or None, units=sel.plan_units(user=request.user), courses=_plan_courses()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data["courses"] = list(data["courses"])
        try:
            services.plan_create(actor=request.user, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已制定培养计划。")
            return redirect("reserve_training:plans")
    return render(
        request,
        "reserve_training/form.html",
        {"form": form, "title": "制定后备力量培养计划", "submit": "保存"},
    )


@login_required
def plan_edit_view(request, plan_id):
    plan = sel.plan_get(user=request.user, pk=plan_id)
    initial = {
        "organization": plan.organization,
        "year": plan.year,
        "title": plan.title,
        "hours_required": plan.hours_required,
        "courses": list(plan.courses.all()),
        "note": plan.note,
    }
    form = PlanForm(
        request.POST or None,
        initial=initial,
        units=sel.plan_units(user=request.user),
        courses=_plan_courses(plan),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(
                actor=request.user,
                plan=plan,
                hours_required=data["hours_required"],
                courses=list(data["courses"]),
                title=data["title"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("reserve_training:plans")
    return render(
        request,
        "reserve_training/form.html",
        {"form": form, "title": f"修改：{plan.title}", "submit": "保存"},
    )
