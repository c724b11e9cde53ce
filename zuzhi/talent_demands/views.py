"""The talent office's catalogue pages (人才需求目录): editions, an edition's entries with
their filter, export and import, copying, publishing. Thin over selectors and services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import text_param

from . import selectors, services
from .forms import CopyForm, EditionForm, EntryForm, UnpublishForm
from .models import EditionStatus

EXPORT_HEADERS = [
    "所属产业",
    "用人单位",
    "需求岗位",
    "需求人数",
    "学历要求",
    "专业要求",
    "经验要求",
    "其他要求",
    "薪酬待遇",
    "住房保障",
    "补贴政策",
    "联系方式",
]


def export_row(entry) -> list:
    """An entry as the Excel row (public and office exports alike: no internal note)."""
    return [
        entry.industry,
        entry.employer,
        entry.post,
        entry.number,
        entry.get_degree_display() if entry.degree else "不限",
        entry.major,
        entry.experience,
        entry.requirements,
        entry.salary,
        entry.housing,
        entry.subsidies,
        entry.contact,
    ]


@login_required
def edition_list_view(request):
    editions = selectors.edition_list(user=request.user)
    form = EditionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            edition = services.edition_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已新建需求目录。")
            return redirect("talent_demands:detail", edition.pk)
    return render(request, "talent_demands/edition_list.html", {"editions": editions, "form": form})


def _entry_filters(request, edition):
    industry = text_param(request.GET, "industry")
    query = text_param(request.GET, "q")
    return selectors.entry_list(edition=edition, industry=industry, query=query), {
        "industry": industry,
        "q": query,
    }


@login_required
def edition_detail_view(request, pk):
    edition = selectors.edition_get(user=request.user, pk=pk)
    entries, filters = _entry_filters(request, edition)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "talent_demands/edition_detail.html",
        {
            "edition": edition,
            "page": page,
            "filters": filters,
            "industries": selectors.industries(edition=edition),
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "draft": edition.status == EditionStatus.DRAFT,
            "copy_form": CopyForm(initial={"year": edition.year + 1}),
            "unpublish_form": UnpublishForm(),
        },
    )


@login_required
def edition_edit_view(request, pk):
    edition = selectors.edition_get(user=request.user, pk=pk)
    initial = {"year": edition.year, "title": edition.title, "intro": edition.intro}
    form = EditionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edition_update(actor=request.user, edition=edition, data=form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("talent_demands:detail", edition.pk)
    return render(request, "talent_demands/form.html", {"form": form, "edition": edition})


@login_required
def edition_export_view(request, pk):
    edition = selectors.edition_get(user=request.user, pk=pk)
    entries, _ = _entry_filters(request, edition)
    return xlsx_response(
        actor=request.user,
        filename=edition.title,
        headers=EXPORT_HEADERS,
        rows=(export_row(e) for e in entries),
        target_type="talent_demands.demandentry",
        org_path=edition.county.path,
    )


def _action(request, pk, act, success: str):
    edition = selectors.edition_get(user=request.user, pk=pk)
    try:
        result = act(edition)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("talent_demands:detail", edition.pk)
    messages.success(request, success)
    return redirect("talent_demands:detail", (result or edition).pk)


@login_required
@require_POST
def edition_publish_view(request, pk):
    return _action(
        request,
        pk,
        lambda e: services.edition_publish(actor=request.user, edition=e),
        "已发布，公开页面已可查看。",
    )


@login_required
@require_POST
def edition_unpublish_view(request, pk):
    reason = request.POST.get("reason", "")[:500]
    return _action(
        request,
        pk,
        lambda e: services.edition_unpublish(actor=request.user, edition=e, reason=reason),
        "已撤回发布。",
    )


@login_required
@require_POST
def edition_copy_view(request, pk):
    selectors.edition_get(user=request.user, pk=pk)  # the lookup (and its logged 404) first
    form = CopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写新目录的年度（2000—2100）。")
        return redirect("talent_demands:detail", pk)
    return _action(
        request,
        pk,
        lambda e: services.edition_copy(
            actor=request.user, source=e, year=form.cleaned_data["year"]
        ),
        "已复制为新年度目录（草稿）。",
    )


@login_required
def entry_create_view(request, pk):
    edition = selectors.edition_get(user=request.user, pk=pk)
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_create(actor=request.user, edition=edition, data=form.data_for_service())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已新增岗位。")
            return redirect("talent_demands:detail", edition.pk)
    return render(request, "talent_demands/form.html", {"form": form, "edition": edition})


@login_required
def entry_edit_view(request, pk):
    entry = selectors.entry_get(user=request.user, pk=pk)
    initial = {f: getattr(entry, f) for f in services.ENTRY_FIELDS}
    form = EntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_update(actor=request.user, entry=entry, data=form.data_for_service())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("talent_demands:detail", entry.edition_id)
    return render(
        request,
        "talent_demands/form.html",
        {"form": form, "edition": entry.edition, "entry": entry},
    )


@login_required
@require_POST
def entry_delete_view(request, pk):
    entry = selectors.entry_get(user=request.user, pk=pk)
    try:
        services.entry_delete(actor=request.user, entry=entry)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已删除岗位。")
    return redirect("talent_demands:detail", entry.edition_id)
