"""Household pages (联系户): the list with its filters and export, registering and editing,
linking a member, bulk assignment, 待重新联系, coverage, and a member's own households on the
phone. Thin over selectors and services; scope is the selectors' and the services'."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zuzhi.core.export_jobs import export_or_enqueue
from zuzhi.core.fields import sealed_fields
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import id_param, text_param
from zuzhi.core.personal import (
    personal_document,
    personal_form_masked,
    personal_form_unchanged,
    personal_view,
)
from zuzhi.core.scope import deny, path_in_scope
from zuzhi.orgs.selectors import org_param

from . import selectors, services
from .exports import STATES, household_list_filtered
from .forms import BulkAssignForm, HouseholdForm, LinkForm, UnlinkForm
from .models import Household
from .rules import link_cap

SEALED = {f.name for f in sealed_fields(Household)}


@login_required
def household_list_view(request):
    qs, filters = household_list_filtered(user=request.user, params=request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = personal_view(
        user=request.user, objects=list(page.object_list), where=request.path, reveal=False
    )
    query = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "households/list.html",
        {
            "page": page,
            "filters": filters,
            "states": STATES,
            "community_filter": selectors.community_filter(
                user=request.user, chosen=filters["community"]
            ),
            "query": urlencode(query),
        },
    )


@login_required
def household_export_view(request):
    """The list as filtered, as Excel (in the worker when it is long)."""
    return export_or_enqueue(request, kind="households")


def _form_data(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("community")
    return data


@login_required
def household_create_view(request):
    communities = selectors.community_choices(user=request.user)
    form = HouseholdForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        community = selectors.community_get(user=request.user, pk=form.cleaned_data["community"])
        try:
            household = services.household_create(
                actor=request.user, community=community, data=_form_data(form)
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已登记住户。")
            return redirect("households:detail", household.pk)
    return render(request, "households/form.html", {"form": form, "household": None})


@login_required
def household_edit_view(request, pk):
    household = selectors.household_get(user=request.user, pk=pk)
    if not path_in_scope(request.user, household.community.path):
        # The linked member sees the household but the community keeps its record.
        raise deny(request.user, target=household)
    communities = selectors.community_choices(user=request.user)
    # The encrypted fields are left out: the form shows their masked copies (below), so
    # opening it decrypts nothing.
    initial = {
        "community": household.community_id,
        **{k: getattr(household, k) for k in services.EDITABLE_FIELDS if k not in SEALED},
    }
    form = HouseholdForm(request.POST or None, initial=initial, communities=communities)
    # The form reads the household's personal fields masked; sent back unchanged, they stay.
    form.instance = household
    masks = personal_form_masked(form)
    if request.method == "POST" and form.is_valid():
        data = personal_form_unchanged(_form_data(form), masks)
        community = selectors.community_get(user=request.user, pk=form.cleaned_data["community"])
        try:
            services.household_update(
                actor=request.user, household=household, data=data, community=community
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("households:detail", household.pk)
    return render(request, "households/form.html", {"form": form, "household": household})


@login_required
def household_detail_view(request, pk):
    household = selectors.household_get(user=request.user, pk=pk)
    reveal = request.GET.get("reveal") == "1"
    personal_view(user=request.user, objects=[household], where=request.path, reveal=reveal)
    members = selectors.linkable_members(user=request.user).filter(load__lt=link_cap())
    return render(
        request,
        "households/detail.html",
        {
            "household": household,
            "links": selectors.link_list(user=request.user, household=household),
            "link_form": LinkForm(members=members[:3000]),
            "unlink_form": UnlinkForm(),
            "may_link": members.exists(),
            "may_edit": path_in_scope(request.user, household.community.path),
            "cap": link_cap(),
        },
    )


@login_required
@require_POST
def household_link_view(request, pk):
    household = selectors.household_get(user=request.user, pk=pk)
    member = selectors.linkable_member_get(user=request.user, pk=id_param(request.POST, "member"))
    try:
        services.household_link(actor=request.user, household=household, member=member)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已由{member.name}联系该住户。")
    return redirect("households:detail", household.pk)


@login_required
@require_POST
def household_unlink_view(request, pk):
    household = selectors.household_get(user=request.user, pk=pk)
    try:
        services.household_unlink(
            actor=request.user, household=household, reason=text_param(request.POST, "end_reason")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "已结束联户，该住户转为未联系。")
    return redirect("households:detail", household.pk)


@login_required
def bulk_assign_view(request):
    """Assign a community's (or grid's) unlinked households to a county unit's members,
    balanced and within the cap; manual changes are made on each household afterwards."""
    communities = selectors.community_choices(user=request.user)
    units = selectors.unit_choices(user=request.user)
    form = BulkAssignForm(request.POST or None, communities=communities, units=units)
    if request.method == "POST" and form.is_valid():
        community = selectors.community_get(user=request.user, pk=form.cleaned_data["community"])
        unit = org_param(user=request.user, value=form.cleaned_data["unit"])
        members = list(selectors.linkable_members(user=request.user, unit=unit))
        households = selectors.household_list(
            user=request.user, community=community, grid=form.cleaned_data["grid"]
        )
        try:
            result = services.household_links_bulk_assign(
                actor=request.user, households=households, members=members
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            message = f"已分配 {result.linked} 户。"
            if result.left:
                message += f"另有 {result.left} 户未分配：该单位党员均已联系满 {link_cap()} 户。"
            messages.success(request, message)
            return redirect(
                f"{request.path}?{urlencode({'community': community.pk, 'unit': unit.pk})}"
            )
    return render(request, "households/bulk_assign.html", {"form": form, "cap": link_cap()})


@login_required
def relink_view(request):
    """待重新联系: households whose member left their county unit or the county."""
    page = Paginator(selectors.households_to_relink(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    page.object_list = personal_view(
        user=request.user, objects=list(page.object_list), where=request.path, reveal=False
    )
    return render(request, "households/relink.html", {"page": page, "query": ""})


@login_required
def coverage_view(request):
    return render(
        request,
        "households/coverage.html",
        {
            "communities": selectors.coverage_by_community(user=request.user),
            "units": selectors.coverage_by_unit(user=request.user),
        },
    )


@login_required
def mine_view(request):
    """我联系的住户, for the member's phone."""
    # The linked member calls their households: their phones are the member's working list,
    # shown in full whatever the role, and audited as an unmasked view.
    households = personal_document(
        user=request.user,
        objects=list(selectors.my_households(user=request.user)[:200]),
        where="我联系的住户",
    )
    return render(request, "households/mine.html", {"households": households})
