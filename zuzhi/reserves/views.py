"""Village reserve pages (村级后备力量): the candidate list with filters and export, the
candidate form, and the 雁归 contact list. Thin over selectors and services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from zuzhi.core import idnumber
from zuzhi.core.codes import code_map
from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import text_param
from zuzhi.core.personal import personal_view
from zuzhi.joint_reviews.rules import round_scope_q
from zuzhi.orgs.selectors import org_param

from . import selectors as sel
from . import services
from .forms import CandidateForm, TalentForm
from .models import ReserveSource, ReserveStatus
from .registry import registry_person
from .scoping import require_reserve_manager


def _candidate_filters(request) -> dict:
    get = request.GET
    source, status = text_param(get, "source"), text_param(get, "status")
    return {
        "village": org_param(user=request.user, value=get.get("village")),
        "township": org_param(user=request.user, value=get.get("township")),
        "source": source if source in ReserveSource.values else "",
        "status": status if status in ReserveStatus.values else "",
        "q": text_param(get, "q"),
    }


def _query(filters: dict) -> str:
    return urlencode({k: getattr(v, "pk", v) for k, v in filters.items() if v not in (None, "")})


@login_required
def candidate_list_view(request):
    require_reserve_manager(request.user)
    filters = _candidate_filters(request)
    qs = sel.candidate_list(user=request.user, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = personal_view(user=request.user, objects=list(page), where=request.path, reveal=False)
    today = timezone.localdate()
    for c in rows:
        c.age = sel.age_on(c.birth_date, today)
    may_send = round_scope_q(request.user) is not None
    return render(
        request,
        "reserves/candidate_list.html",
        {
            "page": page,
            "rows": rows,
            "counts": sel.candidate_counts(qs=qs),
            "filters": filters,
            "query": _query(filters),
            **sel.place_filters(
                user=request.user, village=filters["village"], township=filters["township"]
            ),
            "sources": ReserveSource.choices,
            "statuses": ReserveStatus.choices,
            # The county's 报送联审 is offered to those who open joint review rounds.
            "may_send": may_send,
            "to_send": may_send and sel.reserve_todo(user=request.user)["to_send"],
            "next": request.get_full_path(),
        },
    )


CANDIDATE_HEADERS = [
    "乡镇村（社区）",
    "姓名",
    "性别",
    "年龄",
    "公民身份号码",
    "联系电话",
    "学历",
    "人选来源",
    "产生方式",
    "本人意愿",
    "状态",
]


@login_required
def candidate_export_view(request):
    """The filtered list as Excel; ID numbers and phones as the role may see them."""
    require_reserve_manager(request.user)
    qs = sel.candidate_list(user=request.user, **_candidate_filters(request))
    today, education = timezone.localdate(), code_map("ZB64")
    rows = (
        [
            c.village.name,
            c.name,
            {"1": "男", "2": "女"}.get(c.gender, ""),
            sel.age_on(c.birth_date, today),
            c.id_number,
            c.phone,
            education.get(c.education, c.education),
            c.get_source_display(),
            c.get_discovery_display(),
            ("愿意" if c.willing else "不愿意")
            + (f"（{c.willingness_note}）" if c.willingness_note else ""),
            c.get_status_display(),
        ]
        for c in personal_view(user=request.user, objects=qs.iterator(), where=request.path)
    )
    return xlsx_response(
        actor=request.user,
        filename="村级后备力量",
        headers=CANDIDATE_HEADERS,
        rows=rows,
        target_type="reserves.reservecandidate",
    )


@login_required
def registry_lookup_view(request):
    """The hint under the ID number box: whether the member or cadre registry holds the
    person, and what the record will take from there."""
    require_reserve_manager(request.user)
    try:
        number = idnumber.validate(text_param(request.GET, "id_number"), living=True)
    except idnumber.IdNumberError as exc:
        return render(request, "reserves/_registry_hint.html", {"error": str(exc)})
    found = registry_person(number)
    fields = found["fields"]
    return render(
        request,
        "reserves/_registry_hint.html",
        {
            "found": found,
            "name": fields.get("name", ""),
            "education": code_map("ZB64").get(fields.get("education", ""), ""),
        },
    )


def _form_page(request, form, *, title, template, submit):
    return render(request, template, {"form": form, "title": title, "submit": submit})


@login_required
def candidate_create_view(request):
    require_reserve_manager(request.user)
    form = CandidateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_create(actor=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已登记。")
            return redirect("reserves:list")
    return _form_page(
        request, form, title="登记后备力量人选", template="reserves/form.html", submit="登记"
    )


@login_required
def candidate_edit_view(request, pk):
    candidate = sel.candidate_get(user=request.user, pk=pk)
    form = CandidateForm(request.POST or None, instance=candidate, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_update(
                actor=request.user,
                candidate=sel.candidate_get(user=request.user, pk=pk),
                data=form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("reserves:record", pk)
    return _form_page(
        request, form, title=f"修改：{candidate.name}", template="reserves/form.html", submit="保存"
    )


@login_required
def talent_list_view(request):
    require_reserve_manager(request.user)
    village = org_param(user=request.user, value=request.GET.get("village"))
    q = text_param(request.GET, "q")
    page = Paginator(sel.talent_list(user=request.user, village=village, q=q), 50).get_page(
        request.GET.get("page")
    )
    rows = personal_view(user=request.user, objects=list(page), where=request.path, reveal=False)
    return render(
        request,
        "reserves/talent_list.html",
        {
            "page": page,
            "rows": rows,
            "village": village,
            "q": q,
            "village_filter": sel.village_filter(
                user=request.user, chosen=village, label="家乡村（社区）"
            ),
            "query": _query({"village": village, "q": q}),
        },
    )


TALENT_HEADERS = [
    "家乡村（社区）",
    "姓名",
    "公民身份号码",
    "现在何地",
    "从事行业/职业",
    "联系电话",
    "最近联系日期",
    "一对一联系人",
    "备注",
]


@login_required
def talent_export_view(request):
    require_reserve_manager(request.user)
    village = org_param(user=request.user, value=request.GET.get("village"))
    qs = sel.talent_list(user=request.user, village=village, q=text_param(request.GET, "q"))
    rows = (
        [
            t.home_village.name,
            t.name,
            t.id_number,
            t.whereabouts,
            t.occupation,
            t.phone,
            t.last_contact_on,
            t.contact_person,
            t.note,
        ]
        for t in personal_view(user=request.user, objects=qs.iterator(), where=request.path)
    )
    return xlsx_response(
        actor=request.user,
        filename="雁归人才联系名单",
        headers=TALENT_HEADERS,
        rows=rows,
        target_type="reserves.returningtalent",
    )


@login_required
def talent_create_view(request):
    require_reserve_manager(request.user)
    form = TalentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.talent_create(actor=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已添加。")
            return redirect("reserves:talents")
    return _form_page(
        request, form, title="添加雁归人才", template="reserves/form.html", submit="添加"
    )


@login_required
def talent_edit_view(request, talent_id):
    talent = sel.talent_get(user=request.user, pk=talent_id)
    form = TalentForm(request.POST or None, instance=talent, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.talent_update(
                actor=request.user,
                talent=sel.talent_get(user=request.user, pk=talent_id),
                data=form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("reserves:talents")
    return _form_page(
        request, form, title=f"修改：{talent.name}", template="reserves/form.html", submit="保存"
    )
