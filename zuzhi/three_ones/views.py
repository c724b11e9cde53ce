"""Three-ones pages (三个一): log a contact from a phone, the logs, the problems, who has
not logged this period, summaries by aspect and type, the problem types. Thin over
selectors and services; every page is the cadre section's or a team leader's."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import id_param
from zuzhi.core.scope import deny

from . import selectors, services
from .forms import (
    ContactFilterForm,
    ContactForm,
    ProblemFilterForm,
    ProblemRowFormSet,
    ProblemTypeEditForm,
    ProblemTypeForm,
    RectifyForm,
)
from .scoping import is_problem_type_editor, may_log_for, require_reader
from .services import TYPES_REFUSED

MORE_ROWS = 8


def _team(request):
    pk = id_param(request.GET, "team")
    return selectors.team_for(user=request.user, pk=pk) if pk else None


@login_required
def contact_list_view(request):
    require_reader(request.user)
    team = _team(request)
    form = ContactFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    contacts = selectors.contact_list(
        user=request.user,
        kind=data.get("kind") or None,
        since=data.get("since"),
        until=data.get("until"),
        team=team,
        cadre_id=id_param(request.GET, "cadre"),
    )
    page = Paginator(contacts, 50).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "three_ones/contact_list.html",
        {
            "form": form,
            "team": team,
            "teams": selectors.team_choices(user=request.user),
            "page": page,
            "query": urlencode(query),
        },
    )


@login_required
def contact_create_view(request):
    """Log a contact: choose the team, tick its members, add the problems found."""
    require_reader(request.user)
    team = _team(request)
    if team is None:
        return render(
            request,
            "three_ones/contact_team.html",
            {"teams": selectors.team_choices(user=request.user)},
        )
    today = timezone.localdate()
    # A leader does not log a talk with themselves: their own name is not offered.
    members = [
        c
        for c in selectors.team_members_on(team=team, day=today)
        if c.user_id is None or c.user_id != request.user.pk
    ]
    types = list(selectors.problem_types(active_only=True))
    rows = MORE_ROWS if request.GET.get("rows") == "more" else None
    form = ContactForm(request.POST or None, members=members, initial={"date": today})
    formset = ProblemRowFormSet(
        request.POST or None, form_kwargs={"members": members, "types": types}
    )
    if rows:
        formset.extra = rows
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        filled = [f.cleaned_data for f in formset if f.cleaned_data]
        type_map = {t.pk: t for t in types}
        try:
            found = selectors.members_by_ids(
                team=team, day=data["date"], ids=[*data["cadres"], *(r["cadre"] for r in filled)]
            )
            contact = services.contact_log(
                actor=request.user,
                team=team,
                kind=data["kind"],
                date=data["date"],
                cadres=[found[pk] for pk in data["cadres"]],
                summary=data["summary"],
                problems=[
                    services.ProblemInput(
                        cadre=found[r["cadre"]],
                        problem_type=type_map[r["problem_type"]],
                        description=r["description"],
                    )
                    for r in filled
                ],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已登记{contact.get_kind_display()}。")
            return redirect("three_ones:detail", contact.pk)
    return render(
        request,
        "three_ones/contact_form.html",
        {"team": team, "form": form, "formset": formset, "members": members, "types": types},
    )


@login_required
def contact_detail_view(request, pk):
    contact = selectors.contact_get(user=request.user, pk=pk)
    return render(
        request,
        "three_ones/contact_detail.html",
        {
            "contact": contact,
            "cadres": contact.cadres.order_by("name", "pk"),
            "problems": selectors.contact_problems(user=request.user, contact=contact),
            "may_write": may_log_for(request.user, contact.team),
            "rectify_form": RectifyForm(initial={"rectified_on": timezone.localdate()}),
        },
    )


@login_required
def problem_list_view(request):
    require_reader(request.user)
    team = _team(request)
    form = ProblemFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    problems = selectors.problem_list(
        user=request.user,
        status=data.get("status") or None,
        aspect=data.get("aspect") or None,
        team=team,
        cadre_id=id_param(request.GET, "cadre"),
    )
    page = Paginator(problems, 50).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "three_ones/problem_list.html",
        {
            "form": form,
            "team": team,
            "teams": selectors.team_choices(user=request.user),
            "page": page,
            "query": urlencode(query),
        },
    )


@login_required
@require_POST
def problem_rectify_view(request, pk):
    problem = selectors.problem_get(user=request.user, pk=pk)
    form = RectifyForm(request.POST)
    if form.is_valid():
        try:
            services.problem_rectify(
                actor=request.user,
                problem=problem,
                rectified_on=form.cleaned_data["rectified_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已整改销号。")
    else:
        messages.error(request, "请填写整改日期和整改情况。")
    return redirect("three_ones:detail", problem.contact_id)


@login_required
def summary_view(request):
    """Problems by aspect and type, of one team or of every team the user sees."""
    require_reader(request.user)
    team = _team(request)
    form = ContactFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    since, until = data.get("since"), data.get("until")
    result = selectors.problem_summary(user=request.user, team=team, since=since, until=until)
    table = (
        None if team else selectors.team_problem_table(user=request.user, since=since, until=until)
    )
    return render(
        request,
        "three_ones/summary.html",
        {
            "form": form,
            "team": team,
            "teams": selectors.team_choices(user=request.user),
            "result": result,
            "table": table,
            "chart": {"by_aspect": result.by_aspect, "by_type": result.by_type},
        },
    )


@login_required
def compliance_view(request):
    """Leaders who have not logged this week's talk, this month's visit or this quarter's
    study (a reminder before the period ends, not a ranking)."""
    require_reader(request.user)
    missing = request.GET.get("missing") == "1"
    return render(
        request,
        "three_ones/compliance.html",
        {
            "rows": selectors.compliance(user=request.user, missing_only=missing),
            "missing": missing,
            "today": timezone.localdate(),
        },
    )


@login_required
def types_view(request):
    """The problem types (问题类型): read by whoever logs, changed by the cadre section."""
    require_reader(request.user)
    editor = is_problem_type_editor(request.user)
    form = ProblemTypeForm(request.POST or None)
    if request.method == "POST":
        if not editor:
            raise deny(request.user, message=TYPES_REFUSED)
        if form.is_valid():
            try:
                created = services.problem_type_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"已新增问题类型“{created.name}”。")
                return redirect("three_ones:types")
    return render(
        request,
        "three_ones/types.html",
        {
            "types": selectors.problem_types(),
            "form": form if editor else None,
            "editor": editor,
            "defaults": services.DEFAULT_PROBLEM_TYPES,
        },
    )


@login_required
@require_POST
def types_defaults_view(request):
    created = services.problem_types_load_defaults(actor=request.user)
    if created:
        messages.success(request, f"已载入默认问题类型 {len(created)} 个。")
    else:
        messages.info(request, "已有问题类型，未载入默认列表。")
    return redirect("three_ones:types")


@login_required
def type_edit_view(request, pk):
    if not is_problem_type_editor(request.user):
        raise deny(request.user, message=TYPES_REFUSED)
    problem_type = selectors.problem_type_get(pk=pk)
    form = ProblemTypeEditForm(
        request.POST or None,
        initial={
            "name": problem_type.name,
            "sort_order": problem_type.sort_order,
            "is_active": problem_type.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_type_update(
                actor=request.user, problem_type=problem_type, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存问题类型。")
            return redirect("three_ones:types")
    return render(
        request, "three_ones/type_edit.html", {"form": form, "problem_type": problem_type}
    )
