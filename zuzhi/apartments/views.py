"""Talent apartment pages (人才公寓): buildings at a glance, a building's grid of flats by
state, flats and allocations with search, the allocation cycle one URL per step, agreements
ending soon, applications, the occupancy export, and a talent's own flat. Thin over
selectors and services; the lists are the talent office's (others: the logged 404)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.money import yuan
from zuzhi.core.params import id_param, text_param
from zuzhi.core.personal import personal_view
from zuzhi.talent.scoping import talent_county

from . import rules, services
from . import selectors as sel
from .forms import (
    AllocationForm,
    ApplicationForm,
    BuildingForm,
    BulkFlatsForm,
    CancelForm,
    CheckInForm,
    DecisionForm,
    FlatStatusForm,
    InspectForm,
    RenewForm,
    ReturnForm,
)
from .models import FLAT_HOLDING, AllocationStatus
from .rules import FlatState


def _office(request) -> None:
    sel.require_office(user=request.user)


def _page(request, qs, size=50):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _fail(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def home_view(request):
    """人才公寓: each building's counts, the agreements ending soon, applications waiting."""
    if not sel.may_manage(user=request.user) and sel.my_allocations(user=request.user).exists():
        return redirect("apartments:mine")
    _office(request)
    today = timezone.localdate()
    return render(
        request,
        "apartments/home.html",
        {
            "buildings": sel.buildings(user=request.user, today=today),
            "ending": sel.ending_soon(user=request.user, today=today)[:10],
            "pending": sel.applications(user=request.user, status="pending").count(),
            "days": rules.ENDING_DAYS,
            "today": today,
        },
    )


@login_required
def building_create_view(request):
    _office(request)
    form = BuildingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            building = services.building_create(
                actor=request.user, county=talent_county(request.user), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已登记{building.name}。")
            return redirect("apartments:building", building_id=building.pk)
    return render(request, "apartments/form.html", {"form": form, "title": "登记楼栋"})


@login_required
def building_view(request, building_id):
    """A building at a glance: its flats by floor, coloured by state."""
    _office(request)
    building = sel.building_get(user=request.user, pk=building_id)
    today = timezone.localdate()
    [counts] = [b for b in sel.buildings(user=request.user, today=today) if b.pk == building.pk]
    return render(
        request,
        "apartments/building.html",
        {
            "building": building,
            "counts": counts,
            "floors": sel.building_grid(user=request.user, building=building, today=today),
            "states": FlatState,
            "days": rules.ENDING_DAYS,
        },
    )


@login_required
def flats_bulk_view(request, building_id):
    _office(request)
    building = sel.building_get(user=request.user, pk=building_id)
    form = BulkFlatsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.flats_bulk_create(
                actor=request.user, building=building, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已添加 {len(created)} 套房间。")
            return redirect("apartments:building", building_id=building.pk)
    return render(
        request,
        "apartments/form.html",
        {"form": form, "title": f"{building.name} · 批量添加房间", "building": building},
    )


@login_required
def flat_list_view(request):
    _office(request)
    today = timezone.localdate()
    query = text_param(request.GET, "q")
    state = text_param(request.GET, "state")
    building_id = id_param(request.GET, "building")
    building = sel.building_get(user=request.user, pk=building_id) if building_id else None
    qs = sel.flats(user=request.user, today=today, building=building, query=query, state=state)
    page = _page(request, qs)
    page.object_list = sel.with_state(page.object_list, today=today)
    filters = {k: v for k, v in {"q": query, "state": state, "building": building_id}.items() if v}
    return render(
        request,
        "apartments/flats.html",
        {
            "page": page,
            "query": query,
            "state": state,
            "building": building,
            "buildings": sel.building_choices(user=request.user),
            "states": FlatState.choices,
            "qs": urlencode(filters),
        },
    )


@login_required
def flat_view(request, flat_id):
    _office(request)
    flat = sel.flat_get(user=request.user, pk=flat_id)
    today = timezone.localdate()
    history = list(sel.flat_history(user=request.user, flat=flat))
    state = sel.flat_state_of(flat=flat, today=today)
    return render(
        request,
        "apartments/flat.html",
        {
            "flat": flat,
            "state": state,
            "current": next((a for a in history if a.status in FLAT_HOLDING), None),
            "history": history,
            "may_allocate": state == FlatState.VACANT,
            "status_form": FlatStatusForm(initial={"status": flat.status}),
        },
    )


@login_required
@require_POST
def flat_status_view(request, flat_id):
    _office(request)
    flat = sel.flat_get(user=request.user, pk=flat_id)
    form = FlatStatusForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请选择房间状态。")
        services.flat_set_status(actor=request.user, flat=flat, **form.cleaned_data)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, "房间状态已更新。")
    return redirect("apartments:flat", flat_id=flat.pk)


@login_required
def allocate_view(request, flat_id):
    """分配: from an approved application (its talent), the agreement period and the terms
    (amounts typed in yuan)."""
    _office(request)
    flat = sel.flat_get(user=request.user, pk=flat_id)
    today = timezone.localdate()
    initial = {"start": today, "end": rules.add_years(today, 1)}
    form = AllocationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            allocation = services.allocation_create(
                actor=request.user,
                flat=flat,
                application=data["application"],
                start=data["start"],
                end=data["end"],
                rent_free=data["rent_free"],
                rent_fen=data["rent_fen"] or 0,
                deposit_fen=data["deposit_fen"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已将 {flat.number} 分配给 {allocation.talent.name}。")
            return redirect("apartments:allocation", allocation_id=allocation.pk)
    return render(
        request,
        "apartments/form.html",
        {"form": form, "title": f"分配 {flat.building.name} {flat.number}", "flat": flat},
    )


@login_required
def allocation_list_view(request):
    """分配记录, searchable; ?talent= gives one talent's history."""
    _office(request)
    query = text_param(request.GET, "q")
    status = text_param(request.GET, "status")
    talent_id = id_param(request.GET, "talent")
    if talent_id:
        talent = sel.talent_get(user=request.user, pk=talent_id)
        qs = sel.talent_history(user=request.user, talent=talent)
    else:
        talent = None
        qs = sel.allocations(user=request.user, query=query, status=status)
    filters = {k: v for k, v in {"q": query, "status": status, "talent": talent_id}.items() if v}
    return render(
        request,
        "apartments/allocations.html",
        {
            "page": _page(request, qs),
            "query": query,
            "status": status,
            "statuses": AllocationStatus.choices,
            "talent": talent,
            "qs": urlencode(filters),
        },
    )


@login_required
def occupancy_export_view(request):
    """入住情况 as Excel: every flat with its state and occupant; phones by the policy."""
    _office(request)
    today = timezone.localdate()
    rows = sel.occupancy_rows(user=request.user, today=today)
    occupants = [a.talent for _, a in rows if a]
    personal_view(user=request.user, objects=occupants, where="人才公寓入住情况导出")
    headers = [
        "楼栋", "房号", "楼层", "户型", "面积（㎡）", "状态", "人才", "工作单位", "联系电话",
        "协议起始日", "协议到期日", "免租", "月租金（元）", "押金（元）", "入住日期",
    ]  # fmt: skip
    data = []
    for flat, a in rows:
        line = [flat.building.name, flat.number, flat.floor, flat.layout, str(flat.area)]
        line.append(flat.state.label)
        if a:
            line += [a.talent.name, a.talent.employer, a.talent.phone, a.start, a.end]
            line += [
                "是" if a.rent_free else "否",
                yuan(a.rent_fen),
                yuan(a.deposit_fen),
            ]
            line.append(a.checked_in_on)
        data.append(line)
    return xlsx_response(
        actor=request.user,
        filename="人才公寓入住情况",
        headers=headers,
        rows=data,
        target_type="apartments.flat",
        org_path=talent_county(request.user).path,
    )


@login_required
def allocation_view(request, allocation_id):
    _office(request)
    allocation = sel.allocation_get(user=request.user, pk=allocation_id)
    today = timezone.localdate()
    status = allocation.status
    return render(
        request,
        "apartments/allocation.html",
        {
            "a": allocation,
            "renewals": sel.renewals(user=request.user, allocation=allocation),
            "check_in_form": status == AllocationStatus.ALLOCATED
            and CheckInForm(initial={"checked_in_on": max(today, allocation.start)}),
            "renew_form": status in (AllocationStatus.ALLOCATED, AllocationStatus.CHECKED_IN)
            and RenewForm(initial={"new_end": rules.add_years(allocation.end, 1)}),
            "cancel_form": status == AllocationStatus.ALLOCATED and CancelForm(),
            "return_form": status == AllocationStatus.CHECKED_IN
            and ReturnForm(initial={"returned_on": today, "keys_returned": allocation.keys_handed}),
            "inspect_form": status == AllocationStatus.RETURNED
            and InspectForm(initial={"inspected_on": today, "condition": "good"}),
        },
    )


def _step(request, allocation_id, form_class, run, done: str):
    _office(request)
    allocation = sel.allocation_get(user=request.user, pk=allocation_id)
    form = form_class(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        run(allocation, form.cleaned_data)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, done)
    return redirect("apartments:allocation", allocation_id=allocation.pk)


@login_required
@require_POST
def check_in_view(request, allocation_id):
    return _step(
        request,
        allocation_id,
        CheckInForm,
        lambda a, d: services.allocation_check_in(actor=request.user, allocation=a, **d),
        "已办理入住。",
    )


@login_required
@require_POST
def renew_view(request, allocation_id):
    return _step(
        request,
        allocation_id,
        RenewForm,
        lambda a, d: services.allocation_renew(
            actor=request.user, allocation=a, renewed_on=timezone.localdate(), **d
        ),
        "已续签。",
    )


@login_required
@require_POST
def return_view(request, allocation_id):
    return _step(
        request,
        allocation_id,
        ReturnForm,
        lambda a, d: services.allocation_return(actor=request.user, allocation=a, **d),
        "已办理退房，待验房。",
    )


@login_required
@require_POST
def cancel_view(request, allocation_id):
    return _step(
        request,
        allocation_id,
        CancelForm,
        lambda a, d: services.allocation_cancel(actor=request.user, allocation=a, **d),
        "已取消分配，房间恢复可分配。",
    )


@login_required
@require_POST
def inspect_view(request, allocation_id):
    def run(a, d):
        d = {**d, "deduction_fen": d["deduction_fen"] or 0}
        services.allocation_inspect(actor=request.user, allocation=a, **d)

    return _step(request, allocation_id, InspectForm, run, "已验房，房间恢复可分配。")


@login_required
def ending_view(request):
    """协议将到期: a reminder to renew or arrange the return, soonest first."""
    _office(request)
    today = timezone.localdate()
    return render(
        request,
        "apartments/ending.html",
        {
            "page": _page(request, sel.ending_soon(user=request.user, today=today), 100),
            "days": rules.ENDING_DAYS,
            "today": today,
        },
    )


@login_required
def application_list_view(request):
    _office(request)
    status = text_param(request.GET, "status")
    query = text_param(request.GET, "q")
    filters = {k: v for k, v in {"q": query, "status": status}.items() if v}
    return render(
        request,
        "apartments/applications.html",
        {
            "page": _page(request, sel.applications(user=request.user, status=status, query=query)),
            "query": query,
            "status": status,
            "qs": urlencode(filters),
            "decision_form": DecisionForm(),
        },
    )


@login_required
def application_create_view(request):
    _office(request)
    form = ApplicationForm(
        request.POST or None, user=request.user, initial={"applied_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已登记入住申请。")
            return redirect("apartments:applications")
    return render(request, "apartments/form.html", {"form": form, "title": "登记入住申请"})


def _decide(request, application_id, *, approve: bool):
    _office(request)
    application = sel.application_get(user=request.user, pk=application_id)
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.application_decide(
            actor=request.user, application=application, approve=approve, reason=reason
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, "已同意。" if approve else "已不同意。")
    return redirect("apartments:applications")


@login_required
@require_POST
def application_approve_view(request, application_id):
    return _decide(request, application_id, approve=True)


@login_required
@require_POST
def application_reject_view(request, application_id):
    return _decide(request, application_id, approve=False)


@login_required
def mine_view(request):
    """我的人才公寓: the signed-in talent's own allocation and its history, nothing else."""
    return render(
        request,
        "apartments/mine.html",
        {"allocations": sel.my_allocations(user=request.user)},
    )
