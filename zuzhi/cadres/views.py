"""The cadre registry's pages (干部名册, 干部信息): thin adapters over services and selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zuzhi.core.codes import code_map
from zuzhi.core.export import xlsx_response
from zuzhi.core.params import object_id, text_param
from zuzhi.core.personal import personal_view
from zuzhi.members.selectors import AGE_BANDS
from zuzhi.orgs.picker import filter_picker
from zuzhi.orgs.selectors import PickerMode

from . import selectors, services
from .forms import (
    AssessmentForm,
    CadreForm,
    CareerFormSet,
    FamilyFormSet,
    RewardForm,
)
from .lrmx_import import lrmx_export, lrmx_export_zip, lrmx_filename
from .models import AssessmentResult, LeadershipLevel, Rank
from .models.scoping import in_cadre_section, is_cadre_staff
from .yearmonth import ym_display

GENDERS = {"1": "男", "2": "女"}
MAX_CHOSEN = 500
EXPORT_HEADERS = [
    "姓名",
    "公民身份号码",
    "性别",
    "民族",
    "出生年月",
    "工作单位",
    "现任职务",
    "领导职务层次",
    "职级",
    "最高学历",
    "入党时间",
    "参加工作时间",
    "联系电话",
]


def _unit_filter(request):
    pk = object_id(request.GET.get("org"))
    return None if pk is None else selectors.cadre_unit(user=request.user, pk=pk)


def _display(cadre):
    cadre.gender_label = GENDERS.get(cadre.gender, "")
    cadre.ethnicity_label = code_map("GB3304").get(cadre.ethnicity, cadre.ethnicity)
    cadre.education_label = code_map("ZB64").get(cadre.education, cadre.education)
    cadre.age = selectors.cadre_age(cadre)
    return cadre


def _filtered(request):
    params = request.GET
    chosen = [pk for v in params.getlist("cadre")[:MAX_CHOSEN] if (pk := object_id(v))]
    within = _unit_filter(request)
    qs = selectors.cadre_list(
        user=request.user,
        q=text_param(params, "q"),
        within=within,
        rank=text_param(params, "rank"),
        leadership_level=text_param(params, "level"),
        education=text_param(params, "education"),
        gender=text_param(params, "gender"),
        age_band=text_param(params, "age"),
        active=params.get("inactive") != "1",
        ids=chosen or None,
        sort=text_param(params, "sort") or "org",
    )
    return qs, within


@login_required
def cadre_list_view(request):
    """干部名册: search by name, initials or ID number; filters by unit, rank, level,
    education, gender and age band; ticked cadres (or all found) exported to Excel or as a
    zip of `.lrmx` files for the city."""
    if not is_cadre_staff(request.user):
        own = getattr(request.user, "cadre_record", None)
        if own is not None:
            return redirect("cadres:detail", own.pk)
        raise Http404("未找到该对象。")
    qs, within = _filtered(request)
    export = request.GET.get("export")
    if export == "xlsx":
        return _export_xlsx(request, qs, within)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = personal_view(
        user=request.user, objects=list(page), where=request.path, reveal=False
    )
    for cadre in page:
        _display(cadre)
    query = request.GET.copy()
    for key in ("page", "export", "cadre"):
        query.pop(key, None)
    return render(
        request,
        "cadres/cadre_list.html",
        {
            "page": page,
            "filters": request.GET,
            "query": query.urlencode(),
            "kept": [(k, v) for k, values in query.lists() for v in values],
            "org_picker": filter_picker(user=request.user, chosen=within, mode=PickerMode.CADRES),
            "ranks": Rank.choices,
            "levels": LeadershipLevel.choices,
            "age_bands": AGE_BANDS,
            "educations": [("1", "研究生"), ("2", "本科"), ("3", "专科及以下")],
        },
    )


def _export_xlsx(request, qs, within):
    ethnicities, educations = code_map("GB3304"), code_map("ZB64")
    shown = personal_view(
        user=request.user, objects=qs.iterator(chunk_size=2000), where=request.path
    )
    rows = (
        [
            c.name,
            c.id_number,
            GENDERS.get(c.gender, ""),
            ethnicities.get(c.ethnicity, c.ethnicity),
            f"{c.birth_date:%Y.%m}" if c.birth_date else "",
            c.unit_name,
            c.current_post,
            LeadershipLevel(c.leadership_level).label if c.leadership_level else "",
            Rank(c.rank).label if c.rank else "",
            educations.get(c.education, c.education),
            ym_display(c.party_joined),
            ym_display(c.work_started),
            c.phone,
        ]
        for c in shown
    )
    return xlsx_response(
        actor=request.user,
        filename="干部名册",
        headers=EXPORT_HEADERS,
        rows=rows,
        target_type="cadres.cadre",
        org_path=within.path if within else "",
    )


@login_required
@require_POST
def lrmx_export_view(request):
    """The ticked cadres' `.lrmx` files, one file or a zip."""
    ids = [pk for v in request.POST.getlist("cadre")[:MAX_CHOSEN] if (pk := object_id(v))]
    cadres = list(selectors.cadre_list(user=request.user, ids=ids, active=None))
    if len(cadres) != len(set(ids)) or not cadres:
        raise Http404("未找到该对象。")
    if len(cadres) == 1:
        return cadre_lrmx_view(request, cadres[0].pk)
    data = lrmx_export_zip(actor=request.user, cadres=cadres)
    return _download(data, "任免审批表.zip", "application/zip")


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def cadre_lrmx_view(request, pk: int):
    cadre = selectors.cadre_get(user=request.user, pk=pk)
    services.require_cadre_section(request.user, cadre.organization.path, target=cadre)
    data = lrmx_export(actor=request.user, cadre=cadre)
    return _download(data, lrmx_filename(cadre), "application/xml")


@login_required
def cadre_detail_view(request, pk: int):
    """干部信息: the record, career, family, rewards and assessments; reading it is audited."""
    cadre = selectors.cadre_record(user=request.user, pk=pk)
    _display(cadre)
    staff = in_cadre_section(request.user, cadre.organization.path)
    return render(
        request,
        "cadres/cadre_detail.html",
        {
            "cadre": cadre,
            "staff": staff,
            "career": cadre.career.all(),
            "family": cadre.family.all(),
            "rewards": cadre.rewards.all(),
            "assessments": cadre.assessments.all(),
            "posts": cadre.posts.select_related("organization").all()[:20],
            "assessment_form": AssessmentForm() if staff else None,
            "reward_form": RewardForm() if staff else None,
            "ym": {name: ym_display(getattr(cadre, name)) for name in services.YM_FIELDS},
        },
    )


@login_required
def cadre_photo_view(request, pk: int):
    cadre = selectors.cadre_get(user=request.user, pk=pk)
    if not cadre.photo:
        raise Http404("没有照片。")
    data = bytes(cadre.photo)
    kind = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    response = HttpResponse(data, content_type=kind)
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def cadre_create_view(request):
    if not is_cadre_staff(request.user):
        raise Http404("未找到该对象。")
    form = CadreForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = data.pop("organization")
        upload = data.pop("photo_file", None)
        try:
            cadre = services.cadre_create(actor=request.user, organization=organization, data=data)
            if upload:
                services.cadre_update(actor=request.user, cadre=cadre, data={}, photo=upload.read())
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, f"已新增干部 {cadre.name}")
            return redirect("cadres:detail", cadre.pk)
    return render(request, "cadres/cadre_form.html", {"form": form, "cadre": None})


@login_required
def cadre_edit_view(request, pk: int):
    cadre = selectors.cadre_get(user=request.user, pk=pk)
    services.require_cadre_section(request.user, cadre.organization.path, target=cadre)
    form = CadreForm(request.POST or None, request.FILES or None, instance=cadre, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("photo_file", None)
        try:
            services.cadre_update(
                actor=request.user,
                cadre=cadre,
                data=data,
                photo=upload.read() if upload else None,
            )
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, "已保存")
            return redirect("cadres:detail", cadre.pk)
    return render(request, "cadres/cadre_form.html", {"form": form, "cadre": cadre})


def _rows_view(request, pk: int, *, formset_class, rows_of, save, title: str):
    cadre = selectors.cadre_get(user=request.user, pk=pk)
    services.require_cadre_section(request.user, cadre.organization.path, target=cadre)
    formset = formset_class(request.POST or None, initial=None if request.POST else rows_of(cadre))
    errors = []
    if request.method == "POST" and formset.is_valid():
        rows = [f.cleaned_data for f in formset if f.cleaned_data and any(f.cleaned_data.values())]
        try:
            save(actor=request.user, cadre=cadre, rows=rows)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"已保存{title}")
            return redirect("cadres:detail", cadre.pk)
    return render(
        request,
        "cadres/cadre_rows.html",
        {"cadre": cadre, "formset": formset, "title": title, "errors": errors},
    )


@login_required
def cadre_career_view(request, pk: int):
    """履历: editing the rows writes the résumé from them from now on."""
    return _rows_view(
        request,
        pk,
        formset_class=CareerFormSet,
        rows_of=lambda c: [
            {
                "start": ym_display(r.start),
                "end": ym_display(r.end),
                "unit": r.unit,
                "post": r.post,
                "note": r.note,
            }
            for r in c.career.all()
        ],
        save=services.career_replace,
        title="履历",
    )


@login_required
def cadre_family_view(request, pk: int):
    return _rows_view(
        request,
        pk,
        formset_class=FamilyFormSet,
        rows_of=lambda c: [
            {
                "relation": m.relation,
                "name": m.name,
                "birth": ym_display(m.birth),
                "political_status": m.political_status,
                "work_and_post": m.work_and_post,
            }
            for m in c.family.all()
        ],
        save=services.family_replace,
        title="家庭成员",
    )


@login_required
@require_POST
def cadre_assessment_view(request, pk: int):
    cadre = selectors.cadre_get(user=request.user, pk=pk)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        services.assessment_set(actor=request.user, cadre=cadre, **form.cleaned_data)
        label = AssessmentResult(form.cleaned_data["result"]).label
        messages.success(request, f"已记录 {form.cleaned_data['year']} 年度考核：{label}")
    else:
        messages.error(
            request, "年度考核未保存：" + "；".join(m for e in form.errors.values() for m in e)
        )
    return redirect("cadres:detail", cadre.pk)


@login_required
@require_POST
def cadre_reward_view(request, pk: int):
    cadre = selectors.cadre_get(user=request.user, pk=pk)
    form = RewardForm(request.POST)
    if form.is_valid():
        try:
            services.reward_add(actor=request.user, cadre=cadre, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "奖惩未保存：" + "；".join(exc.messages))
        else:
            messages.success(request, "已记录奖惩")
    else:
        messages.error(
            request, "奖惩未保存：" + "；".join(m for e in form.errors.values() for m in e)
        )
    return redirect("cadres:detail", cadre.pk)
