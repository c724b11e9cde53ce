"""Reserve use pages (后备力量的“用”): assignments with filters and export, reserves still to
apply to the Party, village elections and their hand-over, the village committee roster, and
the count of reserves who became village cadres. Thin over selectors and services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import object_id, text_param
from zuzhi.core.personal import personal_view
from zuzhi.orgs.models import CommitteePosition
from zuzhi.orgs.selectors import org_get, org_param
from zuzhi.reserves import selectors as reserve_selectors
from zuzhi.reserves.scoping import (
    VILLAGE_CATEGORIES,
    require_reserve_manager,
    require_reserve_scope,
)

from . import selectors as sel
from . import services
from .forms import AssignmentForm, ElectionForm, ResultForm
from .models import AssignmentKind, AssignmentRating, ElectedBody, VillageCommitteePosition


def _place_filters(request) -> dict:
    get = request.GET
    return {
        "village": org_param(user=request.user, value=get.get("village")),
        "township": org_param(user=request.user, value=get.get("township")),
    }


def _query(filters: dict) -> str:
    return urlencode(
        {k: getattr(v, "pk", v) for k, v in filters.items() if v not in (None, "", False)}
    )


def _places(request, filters: dict) -> dict:
    return reserve_selectors.place_filters(
        user=request.user, village=filters["village"], township=filters["township"]
    )


# --- assignments (压担子) ---------------------------------------------------------------------
def _assignment_filters(request) -> dict:
    get = request.GET
    kind, rating = text_param(get, "kind"), text_param(get, "rating")
    return _place_filters(request) | {
        "kind": kind if kind in AssignmentKind.values else "",
        "rating": rating if rating in AssignmentRating.values else "",
        "open_only": get.get("open_only") == "1",
        "q": text_param(get, "q"),
    }


@login_required
def assignment_list_view(request):
    require_reserve_manager(request.user)
    filters = _assignment_filters(request)
    page = Paginator(sel.assignment_list(user=request.user, **filters), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reserve_use/assignment_list.html",
        {
            "page": page,
            "rows": list(page),
            "filters": filters,
            "query": _query(filters),
            "kinds": AssignmentKind.choices,
            "ratings": AssignmentRating.choices,
            **_places(request, filters),
        },
    )


ASSIGNMENT_HEADERS = [
    "乡镇",
    "村（社区）",
    "姓名",
    "公民身份号码",
    "任务类别",
    "任务名称",
    "开始日期",
    "结束日期",
    "工作实绩",
    "乡镇评价",
]


@login_required
def assignment_export_view(request):
    """The filtered list as Excel; ID numbers as the role may see them."""
    require_reserve_manager(request.user)
    assignments = list(
        sel.assignment_list(user=request.user, **_assignment_filters(request)).select_related(
            "candidate__village__parent"
        )
    )
    personal_view(user=request.user, objects=[a.candidate for a in assignments], where=request.path)
    rows = [
        [
            a.candidate.village.parent.name if a.candidate.village.parent else "",
            a.candidate.village.name,
            a.candidate.name,
            a.candidate.id_number,
            a.get_kind_display(),
            a.title,
            a.started_on,
            a.ended_on,
            a.performance,
            a.get_rating_display(),
        ]
        for a in assignments
    ]
    return xlsx_response(
        actor=request.user,
        filename="后备力量压担子",
        headers=ASSIGNMENT_HEADERS,
        rows=rows,
        target_type="reserve_use.reserveassignment",
    )


@login_required
def assignment_create_view(request):
    require_reserve_manager(request.user)
    form = AssignmentForm(
        request.POST or None, user=request.user, initial={"started_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.assignment_create(
                actor=request.user, candidate=data.pop("candidate"), data=data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已压担子。")
            return redirect("reserve_use:assignments")
    return render(
        request,
        "reserve_use/form.html",
        {"form": form, "title": "给后备力量压担子", "submit": "保存"},
    )


@login_required
def assignment_result_view(request, pk):
    assignment = sel.assignment_get(user=request.user, pk=pk)
    form = ResultForm(request.POST or None, instance=assignment)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_record_result(
                actor=request.user,
                assignment=sel.assignment_get(user=request.user, pk=pk),
                data=form.cleaned_data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已记录工作实绩。")
            return redirect("reserve_use:assignments")
    return render(
        request,
        "reserve_use/form.html",
        {
            "form": form,
            "title": f"工作实绩：{assignment.candidate.name} · {assignment.title}",
            "submit": "保存",
            "assignment": assignment,
        },
    )


# --- recruitment priority (优先发展) ------------------------------------------------------------
@login_required
def not_applied_view(request):
    """尚未递交入党申请的后备力量: whom the township should encourage to apply."""
    require_reserve_manager(request.user)
    filters = _place_filters(request) | {"q": text_param(request.GET, "q")}
    page = Paginator(sel.reserves_not_applied(user=request.user, **filters), 50).get_page(
        request.GET.get("page")
    )
    rows = personal_view(user=request.user, objects=list(page), where=request.path, reveal=False)
    today = timezone.localdate()
    for c in rows:
        c.age = reserve_selectors.age_on(c.birth_date, today)
    return render(
        request,
        "reserve_use/not_applied.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": _query(filters),
            **_places(request, filters),
        },
    )


# --- elections (换届选举交接) -------------------------------------------------------------------
@login_required
def election_list_view(request):
    require_reserve_manager(request.user)
    filters = _place_filters(request)
    page = Paginator(sel.election_list(user=request.user, **filters), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reserve_use/election_list.html",
        {"page": page, "filters": filters, "query": _query(filters), **_places(request, filters)},
    )


def _elected(request, village) -> list[services.ElectedInput]:
    """The seats chosen on the form, one pair of selects per reserve of the village."""
    chosen = {}
    for key, value in request.POST.items():
        for body, prefix in (
            (ElectedBody.BRANCH_COMMITTEE, "seat_branch_"),
            (ElectedBody.VILLAGE_COMMITTEE, "seat_village_"),
        ):
            if key.startswith(prefix) and value:
                pk = object_id(key[len(prefix) :])
                chosen[(pk, body)] = value
    people = {
        c.pk: c
        for c in reserve_selectors.candidates_visible(user=request.user).filter(
            village=village, pk__in={pk for pk, _ in chosen}
        )
    }
    return [
        services.ElectedInput(candidate=people[pk], body=body, position=position)
        for (pk, body), position in chosen.items()
        if pk in people
    ]


@login_required
def election_create_view(request):
    """Record a village's 两委 election: first the village, then each of its reserves' seats."""
    require_reserve_manager(request.user)
    village = org_param(user=request.user, value=request.GET.get("village"))
    if village is None:
        return render(
            request,
            "reserve_use/election_village.html",
            {
                "village_filter": reserve_selectors.village_filter(
                    user=request.user, chosen=None, required=True
                )
            },
        )
    require_reserve_scope(request.user, village.path, target=village)
    form = ElectionForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            election = services.election_record(
                actor=request.user,
                village=village,
                held_on=form.cleaned_data["held_on"],
                note=form.cleaned_data["note"],
                elected=_elected(request, village),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已登记换届选举，当选的后备力量已进入村“两委”。")
            return redirect("reserve_use:election_detail", election_id=election.pk)
    reserves = list(sel.election_reserves(user=request.user, village=village))
    for c in reserves:  # a village's two or three reserves: the choices kept after an error
        c.branch_seat = request.POST.get(f"seat_branch_{c.pk}", "")
        c.village_seat = request.POST.get(f"seat_village_{c.pk}", "")
    return render(
        request,
        "reserve_use/election_form.html",
        {
            "form": form,
            "village": village,
            "reserves": reserves,
            "branch_positions": CommitteePosition.choices,
            "village_positions": VillageCommitteePosition.choices,
        },
    )


@login_required
def election_detail_view(request, election_id):
    election = sel.election_get(user=request.user, pk=election_id)
    return render(
        request,
        "reserve_use/election_detail.html",
        {"election": election, "results": sel.election_results(election=election)},
    )


@login_required
def village_committee_view(request, village_id):
    """The village committee roster (村民委员会成员) of one village."""
    village = org_get(user=request.user, pk=village_id)
    require_reserve_scope(request.user, village.path, target=village)
    if village.unit_category not in VILLAGE_CATEGORIES:
        raise Http404("村民委员会只在行政村或社区。")
    rows = personal_view(
        user=request.user,
        objects=list(sel.village_committee(user=request.user, village=village)),
        where=request.path,
        reveal=False,
    )
    return render(request, "reserve_use/village_committee.html", {"village": village, "rows": rows})


@login_required
def summary_view(request):
    """How many reserves became village cadres, by township (后备力量进入村“两委”情况)."""
    require_reserve_manager(request.user)
    table = sel.appointed_by_township(user=request.user)
    return render(
        request,
        "reserve_use/summary.html",
        {
            "table": table,
            "appointed": sum(r["appointed"] for r in table),
            "in_pool": sum(r["in_pool"] for r in table),
        },
    )
