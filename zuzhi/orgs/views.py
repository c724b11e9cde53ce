"""Organization pages: thin adapters over zuzhi.orgs.selectors and zuzhi.orgs.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from zuzhi.core.audit import personal_data_viewed
from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.masking import personal
from zuzhi.core.scope import can_view_personal_data

from . import selectors, services
from .forms import (
    OrganizationForm,
    RectificationCloseForm,
    RectificationForm,
    RectificationStepForm,
)
from .models import Organization, OrgType, RectificationCase, UnitCategory

EXPORT_HEADERS = [
    "组织代码",
    "组织名称",
    "组织类型",
    "单位类别",
    "上级组织代码",
    "上级组织",
    "书记",
    "书记电话",
    "成立日期",
    "本届任期开始",
    "本届任期届满",
    "行政区划代码",
    "地址",
]


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _filtered(request):
    params = request.GET
    return selectors.org_list(
        user=request.user,
        q=params.get("q") or None,
        org_type=params.get("type") or None,
        unit_category=params.get("category") or None,
        within=_int_or_none(params.get("within")),
        parent=_int_or_none(params.get("parent")),
    )


@login_required
def org_list_view(request):
    """党组织列表: filters, pagination and Excel export of exactly what is listed."""
    qs = _filtered(request)
    unmasked = can_view_personal_data(request.user)
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                o.code,
                o.name,
                o.get_org_type_display(),
                o.get_unit_category_display(),
                o.parent.code if o.parent else "",
                o.parent.name if o.parent else "",
                o.secretary_name,
                personal(o.secretary_phone, kind="phone", unmasked=unmasked),
                o.founded_on,
                o.term_start,
                o.term_end,
                o.division_code,
                o.address,
            ]
            for o in qs.iterator(chunk_size=2000)
        )
        return xlsx_response(
            actor=request.user,
            filename="党组织列表",
            headers=EXPORT_HEADERS,
            rows=rows,
            target_type="orgs.organization",
            unmasked=unmasked,
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for org in page:
        org.phone_display = personal(org.secretary_phone, kind="phone", unmasked=False)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orgs/org_list.html",
        {
            "page": page,
            "filters": request.GET,
            "query": query.urlencode(),
            "org_types": OrgType.choices,
            "categories": UnitCategory.choices,
        },
    )


@login_required
def org_tree_view(request):
    """组织架构: the user's roots; children load on demand; search by name or initials."""
    q = (request.GET.get("q") or "").strip()
    if q:
        results = list(selectors.org_list(user=request.user, q=q)[:50])
        template = (
            "orgs/_tree_search.html" if request.headers.get("HX-Request") else "orgs/org_tree.html"
        )
        return render(request, template, {"results": results, "q": q, "searched": True})
    if request.headers.get("HX-Request"):
        return render(
            request, "orgs/_tree_search.html", {"results": [], "q": "", "searched": False}
        )
    roots = selectors.org_roots(user=request.user)
    return render(request, "orgs/org_tree.html", {"roots": roots, "q": ""})


@login_required
def org_children_view(request, pk):
    parent = selectors.org_get(user=request.user, pk=pk)
    children = selectors.org_children(user=request.user, parent=parent)
    return render(request, "orgs/_tree_children.html", {"children": children})


@login_required
def org_detail_view(request, pk):
    org = selectors.org_get(user=request.user, pk=pk)
    unmasked = can_view_personal_data(request.user) and request.GET.get("show") == "phone"
    if unmasked and org.secretary_phone:
        personal_data_viewed(actor=request.user, target=org, fields=["书记电话"], org_path=org.path)
    counts = selectors.org_type_counts(user=request.user, org=org)
    return render(
        request,
        "orgs/org_detail.html",
        {
            "org": org,
            "ancestors": selectors.org_ancestors(user=request.user, org=org),
            "children": selectors.org_children(user=request.user, parent=org)[:200],
            "counts": [(OrgType(k).label, v) for k, v in counts.items()],
            "phone": personal(org.secretary_phone, kind="phone", unmasked=unmasked),
            "can_unmask": can_view_personal_data(request.user)
            and not unmasked
            and org.secretary_phone,
            "health": [
                selectors.HealthFlag.LABELS[f]
                for _, flags in selectors.org_health(user=request.user, organization=org)
                for f in flags
            ],
        },
    )


def _parent_from_code(request, form):
    code = (form.cleaned_data.get("parent_code") or "").strip()
    if not code:
        return None
    try:
        return selectors.org_get_by_code(user=request.user, code=code)
    except Http404:
        form.add_error("parent_code", f"上级组织代码“{code}”不存在或不在您的权限范围内。")
        return False


def _service_data(form):
    return {k: v for k, v in form.cleaned_data.items() if k in services.EDITABLE_FIELDS}


@login_required
def org_create_view(request):
    initial = {}
    if request.GET.get("parent"):
        parent = selectors.org_get(user=request.user, pk=_int_or_none(request.GET["parent"]))
        initial["parent_code"] = parent.code
    form = OrganizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        parent = _parent_from_code(request, form)
        if parent is None and not form.errors:
            form.add_error("parent_code", "请填写上级组织代码。")
        if parent:
            try:
                org = services.org_create(
                    actor=request.user, parent=parent, data=_service_data(form)
                )
            except ValidationError as exc:
                form.apply_service_errors(exc)
            else:
                messages.success(request, f"已新建“{org.name}”。")
                return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {"form": form, "org": None})


@login_required
def org_edit_view(request, pk):
    org = selectors.org_get(user=request.user, pk=pk)
    form = OrganizationForm(request.POST or None, instance=Organization.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        data = _service_data(form)
        parent = _parent_from_code(request, form)
        if parent:
            data["parent"] = parent
        elif parent is None and org.parent_id is not None:
            form.add_error("parent_code", "请填写上级组织代码。")
        if not form.errors:
            try:
                org = services.org_update(actor=request.user, org=org, data=data)
            except ValidationError as exc:
                form.apply_service_errors(exc)
            else:
                messages.success(request, "已保存。")
                return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {"form": form, "org": org})


@login_required
def org_history_view(request, pk):
    org = selectors.org_get(user=request.user, pk=pk)
    labels = {f.attname: f.verbose_name for f in Organization._meta.concrete_fields}
    labels.update({f.name: f.verbose_name for f in Organization._meta.concrete_fields})
    page = Paginator(selectors.org_history(user=request.user, org=org), 30).get_page(
        request.GET.get("page")
    )
    unmasked = can_view_personal_data(request.user)
    entries = []
    for row in page:
        keys = list(dict.fromkeys(list((row.before or {}).keys()) + list((row.after or {}).keys())))
        changes = []
        for key in keys:
            if key in ("updated_at", "created_at", "name_initials"):
                continue
            old, new = (row.before or {}).get(key), (row.after or {}).get(key)
            if key == "secretary_phone":
                old = personal(old, kind="phone", unmasked=unmasked)
                new = personal(new, kind="phone", unmasked=unmasked)
            changes.append((str(labels.get(key, key)), old, new))
        entries.append((row, changes))
    return render(request, "orgs/org_history.html", {"org": org, "page": page, "entries": entries})


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
    counts = {key: sum(1 for _, flags in rows if key in flags) for key in labels}
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
