"""Talent registry pages (人才库): the list with its filters and export, a talent's page,
registering and editing, leaving, the titles, platforms, care events and the yearly visit
check; and a talent's own record. Thin over selectors and services; every page but the own
record is the talent office's (others get the logged 404)."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import id_param
from zuzhi.core.personal import personal_form_masked, personal_form_unchanged, personal_view
from zuzhi.core.scope import deny

from . import selectors, services
from .forms import LeaveForm, TalentFilterForm, TalentForm, TitleForm
from .scoping import is_talent_staff, talent_county


def office_only(view):
    """The talent office's pages: anyone else gets the logged 404."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_talent_staff(request.user):
            raise deny(request.user, message="试图查看人才工作页面（仅人才办）")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _filtered(request):
    user = request.user
    form = TalentFilterForm(
        request.GET or None,
        titles=selectors.titles(user=user),
        industries=selectors.industries(user=user),
    )
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.talent_list(
        user=user,
        q=data.get("q", ""),
        title_id=data.get("title"),
        level=data.get("level", ""),
        degree=data.get("degree", ""),
        industry=data.get("industry", ""),
        status=data.get("status", ""),
        high_level=bool(data.get("high_level")),
    )
    return qs, form


@office_only
def talent_list_view(request):
    qs, form = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = personal_view(
        user=request.user, objects=list(page.object_list), where=request.path, reveal=False
    )
    query = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "talent/list.html",
        {
            "page": page,
            "form": form,
            "counts": selectors.registry_counts(user=request.user),
            "query": urlencode(query),
        },
    )


EXPORT_HEADERS = [
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "联系电话",
    "最高学历学位",
    "毕业院校",
    "所学专业",
    "专业领域",
    "工作单位",
    "所属产业",
    "职务/职称",
    "人才称号",
    "层级",
    "来县工作时间",
    "状态",
    "荣誉",
]


@office_only
def talent_export_view(request):
    """The registry as filtered, as Excel; personal data by the policy; audited."""
    qs, _ = _filtered(request)
    shown = personal_view(
        user=request.user, objects=qs.iterator(chunk_size=2000), where=request.path
    )
    rows = (
        [
            t.name,
            t.id_number,
            {"1": "男", "2": "女"}.get(t.gender, ""),
            t.birth_date,
            t.phone,
            t.get_degree_display() if t.degree else "",
            t.school,
            t.major,
            t.field,
            t.employer,
            t.industry,
            t.position,
            t.title.name if t.title else "",
            t.title.get_level_display() if t.title else "",
            t.arrived_on,
            t.get_status_display(),
            t.honours,
        ]
        for t in shown
    )
    return xlsx_response(
        actor=request.user,
        filename="人才库",
        headers=EXPORT_HEADERS,
        rows=rows,
        target_type="talent.talent",
        org_path=talent_county(request.user).path,
    )


def _talent_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["title"] = selectors.title_choice(user=form.user, pk=data["title"])
    return data


def _talent_form(request, initial=None, talent=None):
    # A title switched off is no longer offered, but a holder keeps it when edited.
    titles = selectors.titles(user=request.user).filter(
        Q(active=True) | Q(pk=getattr(talent, "title_id", None))
    )
    form = TalentForm(request.POST or None, initial=initial, titles=titles)
    form.user = request.user
    return form


@office_only
def talent_create_view(request):
    form = _talent_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            talent = services.talent_create(
                actor=request.user, county=talent_county(request.user), data=_talent_data(form)
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已将{talent.name}录入人才库。")
            return redirect("talent:detail", talent.pk)
    return render(request, "talent/form.html", {"form": form, "talent": None})


@office_only
def talent_edit_view(request, pk):
    talent = selectors.talent_get(user=request.user, pk=pk)
    initial = {k: getattr(talent, k) for k in services.TALENT_FIELDS if k != "title"}
    initial["title"] = talent.title_id
    form = _talent_form(request, initial=initial, talent=talent)
    # The form shows the personal fields as the role sees them; sent back unchanged, they stay.
    form.instance = talent
    masks = personal_form_masked(form)
    if request.method == "POST" and form.is_valid():
        data = personal_form_unchanged(_talent_data(form), masks)
        try:
            services.talent_update(actor=request.user, talent=talent, data=data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("talent:detail", talent.pk)
    return render(request, "talent/form.html", {"form": form, "talent": talent})


@office_only
def talent_detail_view(request, pk):
    talent = selectors.talent_get(user=request.user, pk=pk)
    personal_view(user=request.user, objects=[talent], where=request.path)
    return render(
        request,
        "talent/detail.html",
        {
            "talent": talent,
            "platform_roles": talent.platform_roles.select_related("platform"),
            "care_events": selectors.talent_care_events(talent=talent)[:50],
            "leave_form": LeaveForm(initial={"left_on": timezone.localdate()}),
        },
    )


@office_only
@require_POST
def talent_leave_view(request, pk):
    talent = selectors.talent_get(user=request.user, pk=pk)
    form = LeaveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("left_on") or "请填写离开时间。")
        services.talent_leave(
            actor=request.user,
            talent=talent,
            left_on=form.cleaned_data["left_on"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已登记{talent.name}离开本县。")
    return redirect("talent:detail", talent.pk)


@office_only
@require_POST
def talent_return_view(request, pk):
    talent = selectors.talent_get(user=request.user, pk=pk)
    services.talent_return(actor=request.user, talent=talent)
    messages.success(request, f"已恢复{talent.name}为在县。")
    return redirect("talent:detail", talent.pk)


@office_only
@require_POST
def talent_account_view(request, pk):
    """关联本人账号: the account the system administrator created for the talent."""
    talent = selectors.talent_get(user=request.user, pk=pk)
    username = request.POST.get("username", "").strip()
    try:
        services.talent_account_link(actor=request.user, talent=talent, username=username)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已将账号 {username} 关联为{talent.name}的本人账号。")
    return redirect("talent:detail", talent.pk)


@office_only
def titles_view(request):
    """人才称号: the county's titles, a new one, and each one's edit."""
    county = talent_county(request.user)
    editing = None
    pk = id_param(request.GET, "edit")
    if pk:
        editing = selectors.title_get(user=request.user, pk=pk)
    initial = (
        {k: getattr(editing, k) for k in ("name", "level", "high_level", "order", "active")}
        if editing
        else None
    )
    form = TitleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.title_save(
                actor=request.user, county=county, title=editing, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存人才称号。")
            return redirect("talent:titles")
    return render(
        request,
        "talent/titles.html",
        {
            "titles": selectors.titles(user=request.user),
            "form": form,
            "editing": editing,
            "defaults": services.DEFAULT_TITLES,
        },
    )


@office_only
@require_POST
def titles_defaults_view(request):
    added = services.titles_load_defaults(actor=request.user, county=talent_county(request.user))
    messages.success(request, f"已添加 {len(added)} 个默认称号。" if added else "默认称号都已在。")
    return redirect("talent:titles")


@login_required
def my_record_view(request):
    """我的人才档案: a talent's own record (no other talent's), with their care events."""
    talent = selectors.own_talent(user=request.user)
    if talent is None:
        raise deny(request.user, message="试图查看本人人才档案（未关联人才）")
    personal_view(user=request.user, objects=[talent], where=request.path)
    return render(
        request,
        "talent/me.html",
        {"talent": talent, "care_events": selectors.talent_care_events(talent=talent)[:50]},
    )
