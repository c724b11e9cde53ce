"""Organization pages: thin adapters over zuzhi.orgs.selectors and zuzhi.orgs.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from zuzhi.core.audit_display import audit_entries
from zuzhi.core.export import xlsx_response
from zuzhi.core.export_jobs import export_or_enqueue
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import id_param, text_param
from zuzhi.core.personal import may_see_personal, personal_view
from zuzhi.core.scope import ancestor_paths

from . import selectors, services
from .exports import org_list_filtered
from .forms import (
    OrganizationForm,
    RectificationCloseForm,
    RectificationForm,
    RectificationStepForm,
)
from .models import Organization, OrgType, RectificationCase, UnitCategory
from .picker import OrgPicker

PAGE_SIZE = 50
TREE_SEARCH_LIMIT = 50
DETAIL_CHILDREN_LIMIT = 200


@login_required
def org_list_view(request):
    """党组织列表: filters, pagination and Excel export of exactly the filtered rows."""
    if request.GET.get("export") == "xlsx":
        return export_or_enqueue(request, kind="orgs")
    qs = org_list_filtered(user=request.user, params=request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # Masked to every role here: the detail page reveals a phone on request.
    page.object_list = personal_view(
        user=request.user, objects=list(page), where=request.path, reveal=False
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    within = id_param(request.GET, "within")
    return render(
        request,
        "orgs/org_list.html",
        {
            "page": page,
            "filters": {k: text_param(request.GET, k) for k in ("q", "org_type", "unit_category")},
            "within": selectors.org_get(user=request.user, pk=within) if within else None,
            "parent": id_param(request.GET, "parent"),
            "query": query.urlencode(),
            "org_types": OrgType.choices,
            "categories": UnitCategory.choices,
        },
    )


def _with_breadcrumbs(user, orgs: list[Organization]) -> list[tuple[Organization, list]]:
    """Each organization with its visible ancestors (top first), in one query for all."""
    prefixes = {a for o in orgs for a in ancestor_paths(o.path)}
    by_path = {
        a.path: a
        for a in selectors.org_scoped(user=user)
        .filter(path__in=prefixes)
        .only("pk", "name", "path")
    }
    return [
        (
            o,
            [by_path[a] for a in ancestor_paths(o.path) if a in by_path],
        )
        for o in orgs
    ]


@login_required
def org_tree_view(request):
    """组织架构: the user's roots, children loaded on demand, search by name or initials.

    An htmx request (the search box) gets the results alone; a plain GET (search submitted
    without JavaScript) gets the whole page with the results above the tree.
    """
    q = text_param(request.GET, "q")
    found = list(selectors.org_list(user=request.user, q=q)[: TREE_SEARCH_LIMIT + 1]) if q else []
    context = {
        "q": q,
        "results": _with_breadcrumbs(request.user, found[:TREE_SEARCH_LIMIT]),
        "more": len(found) > TREE_SEARCH_LIMIT,
        "limit": TREE_SEARCH_LIMIT,
    }
    if request.headers.get("HX-Request"):
        return render(request, "orgs/_tree_search.html", context)
    context["roots"] = selectors.org_roots(user=request.user)
    return render(request, "orgs/org_tree.html", context)


@login_required
def org_picker_view(request):
    """The organization picker's answers (htmx): the short list for the typed text, or with
    `pick` the picker again with that organization chosen. Both stay within the picker's
    reach (`selectors.org_picker_queryset`); an id outside it is not found."""
    picker = OrgPicker.from_params(request.GET)
    pick = id_param(request.GET, "pick")
    if pick is not None:
        picker.choice = selectors.org_picker_choice(
            user=request.user, pk=pick, mode=picker.mode, **picker.filters()
        )
        picker.autofocus = True
        return render(request, "orgs/_org_picker.html", {"p": picker})
    q = text_param(request.GET, picker.text_name)
    found = selectors.org_picker_search(
        user=request.user,
        q=q,
        mode=picker.mode,
        limit=selectors.PICKER_LIMIT + 1,
        **picker.filters(),
    )
    return render(
        request,
        "orgs/_org_picker_results.html",
        {
            "p": picker,
            "q": q,
            "choices": found[: selectors.PICKER_LIMIT],
            "more": len(found) > selectors.PICKER_LIMIT,
        },
    )


@login_required
def org_children_view(request, pk):
    """The children of one node, as list items for the tree (loaded when it is opened)."""
    parent = selectors.org_get(user=request.user, pk=pk)
    children = selectors.org_children(user=request.user, parent=parent)
    return render(request, "orgs/_tree_children.html", {"children": children})


@login_required
def org_detail_view(request, pk):
    org = selectors.org_get(user=request.user, pk=pk)
    reveal = request.GET.get("show") == "phone"
    has_phone = bool(org.secretary_phone_masked)
    personal_view(user=request.user, objects=[org], where=request.path, reveal=reveal)
    children = selectors.org_children(user=request.user, parent=org)
    counts = selectors.org_type_counts(user=request.user, org=org)
    return render(
        request,
        "orgs/org_detail.html",
        {
            "org": org,
            "ancestors": selectors.org_ancestors(user=request.user, org=org),
            "children": children[:DETAIL_CHILDREN_LIMIT],
            "children_more": children.count() > DETAIL_CHILDREN_LIMIT,
            "counts": [(OrgType(k).label, v) for k, v in counts.items()],
            "counts_total": sum(counts.values()),
            "can_unmask": may_see_personal(request.user) and not reveal and has_phone,
            "health": [
                selectors.HealthFlag.LABELS[f]
                for _, flags in selectors.org_health(user=request.user, organization=org)
                for f in flags
            ],
        },
    )


@login_required
def org_create_view(request):
    """新建党组织 under a parent chosen from the user's part of the tree."""
    initial = {}
    parent_id = id_param(request.GET, "parent")
    if parent_id:
        initial["parent"] = selectors.org_get(user=request.user, pk=parent_id)
        initial["code"] = selectors.org_code_proposal(parent=initial["parent"])
    form = OrganizationForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(
                actor=request.user, parent=form.cleaned_data["parent"], data=form.service_data()
            )
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, f"已新建“{org.name}”。")
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {"form": form, "org": None})


@login_required
def org_edit_view(request, pk):
    """修改党组织; a new parent moves the organization with its whole subtree."""
    org = selectors.org_get(user=request.user, pk=pk)
    form = OrganizationForm(
        request.POST or None, instance=Organization.objects.get(pk=org.pk), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_update(actor=request.user, org=org, data=form.service_data())
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, f"已保存“{org.name}”。")
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {"form": form, "org": org})


@login_required
def org_history_view(request, pk):
    """变更记录: each audited change of the organization as 字段 / 修改前 / 修改后."""
    org = selectors.org_get(user=request.user, pk=pk)
    page = Paginator(selectors.org_history(user=request.user, org=org), 30).get_page(
        request.GET.get("page")
    )
    reveal = request.GET.get("show") == "phone"
    rows = personal_view(user=request.user, objects=list(page), where=request.path, reveal=reveal)
    # The current parent is named even above the user's scope: the detail page shows it.
    known = {("orgs.organization", org.parent_id): org.parent.name} if org.parent_id else {}
    return render(
        request,
        "orgs/org_history.html",
        {
            "org": org,
            "page": page,
            "entries": audit_entries(user=request.user, rows=rows, known=known),
            "can_unmask": may_see_personal(request.user) and not reveal,
        },
    )


@login_required
def org_health_view(request):
    """组织体检: organizations that break a rule of the constitution or are due for election."""
    flag = request.GET.get("flag") or None
    if flag not in (None, *selectors.HealthFlag.LABELS):
        flag = None
    rows = selectors.org_health(user=request.user, flag=flag)
    labels = selectors.HealthFlag.LABELS
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            actor=request.user,
            filename="组织体检",
            headers=[
                "组织代码",
                "组织名称",
                "上级组织",
                "正式党员",
                "党员总数",
                "任期届满",
                "问题",
            ],
            rows=(
                [
                    o.code,
                    o.name,
                    o.parent.name if o.parent else "",
                    o.full_members,
                    o.all_members,
                    o.term_end,
                    "；".join(labels[f] for f in flags),
                ]
                for o, flags in rows
            ),
            target_type="orgs.organization",
        )
    counts = selectors.org_health_counts(user=request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/org_health.html",
        {
            "page": page,
            "entries": [(o, [labels[f] for f in flags]) for o, flags in page],
            "flags": [(key, label, counts[key]) for key, label in labels.items()],
            "flag": flag,
        },
    )


@login_required
def rectification_list_view(request):
    status = request.GET.get("status") or None
    page = Paginator(selectors.rectification_list(user=request.user, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "orgs/rectification_list.html",
        {"page": page, "status": status, "statuses": RectificationCase.Status.choices},
    )


@login_required
def rectification_open_view(request, pk):
    org = selectors.org_get(user=request.user, pk=pk)
    form = RectificationForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            case = services.rectification_open(
                actor=request.user, organization=org, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已将“{org.name}”列入软弱涣散党组织整顿。")
            return redirect("orgs:rectification", pk=case.pk)
    return render(request, "orgs/rectification_open.html", {"org": org, "form": form})


@login_required
def rectification_detail_view(request, pk):
    case = selectors.rectification_get(user=request.user, pk=pk)
    step_form = RectificationStepForm(prefix="step")
    close_form = RectificationCloseForm(prefix="close")
    if request.method == "POST":
        try:
            if "step-action" in request.POST:
                step_form = RectificationStepForm(request.POST, prefix="step")
                if step_form.is_valid():
                    services.rectification_step_add(
                        actor=request.user, case=case, **step_form.cleaned_data
                    )
                    messages.success(request, "已记录整顿进展。")
                    return redirect("orgs:rectification", pk=case.pk)
            else:
                close_form = RectificationCloseForm(request.POST, prefix="close")
                if close_form.is_valid():
                    services.rectification_close(
                        actor=request.user, case=case, note=close_form.cleaned_data["note"]
                    )
                    messages.success(request, "整顿已销号。")
                    return redirect("orgs:rectification", pk=case.pk)
        except ValidationError as exc:
            apply_service_errors(step_form if "step-action" in request.POST else close_form, exc)
    return render(
        request,
        "orgs/rectification_detail.html",
        {"case": case, "steps": case.steps.all(), "step_form": step_form, "close_form": close_form},
    )
