"""Leadership team pages (班子配备): thin adapters over team_selectors and team_services.
Anyone who sees a team reads its page; the forms are the cadre section's."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import id_param

from . import team_selectors as selectors
from . import team_services as services
from .models import Cadre, TargetKind, TeamKind, TeamPost, TeamTarget

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AppointForm(forms.Form):
    """Collects input only; the rules live in team_services.post_appoint."""

    post = forms.ModelChoiceField(label="职位", queryset=TeamPost.objects.none())
    cadre = forms.ModelChoiceField(label="干部", queryset=Cadre.objects.none())
    start = forms.DateField(label="任职时间", widget=DATE)
    document = forms.CharField(label="任免文号", max_length=64, required=False)

    def __init__(self, *args, team, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = team.posts.order_by("sort_order", "pk")
        self.fields["cadre"].queryset = (
            Cadre.objects.visible_to(user).filter(is_active=True).order_by("name_initials", "pk")
        )
        self.fields["cadre"].label_from_instance = lambda c: f"{c.name}（{c.unit_name}）"


class EndForm(forms.Form):
    end = forms.DateField(label="免职时间", widget=DATE)


class TargetForm(forms.ModelForm):
    class Meta:
        model = TeamTarget
        fields = services.TARGET_FIELDS


def _filters(request) -> dict:
    kind = request.GET.get("kind") or None
    return {
        "organization_id": id_param(request.GET, "org"),
        "kind": kind if kind in TeamKind.values else None,
        "missing": request.GET.get("missing") == "1",
        "vacant": request.GET.get("vacant") == "1",
    }


@login_required
def team_list_view(request):
    filters = _filters(request)
    return render(
        request,
        "cadres/teams/team_list.html",
        {
            "rows": selectors.team_list(user=request.user, **filters),
            "filters": filters,
            "query": request.GET.urlencode(),
            "townships": selectors.team_townships(user=request.user),
            "kinds": TeamKind.choices,
            "age_labels": [b.label for b in selectors.AGE_BANDS],
            "may_write": services.may_write_teams(request.user),
        },
    )


EXPORT_HEADERS = [
    "班子",
    "类别",
    "职数",
    "在任",
    "空缺职位",
    "女性",
    *[b.label for b in selectors.AGE_BANDS],
    "研究生",
    "本科",
    "专科及以下",
    f"{selectors.COLLEGE_LABEL}占比（%）",
    "少数民族",
    "未达到的结构目标",
]


def _export_row(row: selectors.TeamRow) -> list:
    s = row.structure
    return [
        row.team.name,
        row.team.get_kind_display(),
        row.seats,
        s["total"],
        "；".join(f"{p.title}（{p.vacant_since:%Y-%m-%d}起）" for p in row.vacancies),
        dict(s["gender"])["女"],
        *[n for _, n in s["age"][: len(selectors.AGE_BANDS)]],
        *[n for _, n in s["education"][: len(selectors.EDUCATION_BANDS)]],
        s["college_share"],
        s["minority"],
        "；".join(row.missing),
    ]


@login_required
def team_export_view(request):
    rows = selectors.team_list(user=request.user, **_filters(request))
    return xlsx_response(
        actor=request.user,
        filename="领导班子结构",
        headers=EXPORT_HEADERS,
        rows=[_export_row(r) for r in rows],
        target_type="cadres.leadershipteam",
    )


def _detail(request, team, *, appoint_form=None, status=200):
    may_write = services.may_write_teams(request.user, team=team)
    context = {
        "team": team,
        "roster": selectors.team_roster(team=team),
        "vacancies": team.posts.filter(vacant_since__isnull=False).order_by("sort_order", "pk"),
        "result": selectors.team_structure(team=team),
        "may_write": may_write,
        "appoint_form": (
            appoint_form
            or AppointForm(team=team, user=request.user, initial={"start": timezone.localdate()})
        )
        if may_write
        else None,
        "today": timezone.localdate(),
    }
    return render(request, "cadres/teams/team_detail.html", context, status=status)


@login_required
def team_detail_view(request, pk):
    return _detail(request, selectors.team_get(user=request.user, pk=pk))


@login_required
@require_POST
def team_appoint_view(request, pk):
    team = selectors.team_get(user=request.user, pk=pk)
    services.team_write_check(actor=request.user, team=team)
    form = AppointForm(request.POST, team=team, user=request.user)
    if form.is_valid():
        try:
            holding = services.post_appoint(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已任命{holding.cadre.name}为{holding.title}。")
            return redirect("cadres:team_detail", pk=team.pk)
    return _detail(request, team, appoint_form=form, status=422)


@login_required
@require_POST
def holding_end_view(request, pk):
    holding = services.holding_get_for_write(actor=request.user, pk=pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.holding_end(actor=request.user, holding=holding, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已免去{holding.cadre.name}的{holding.title}职务。")
    else:
        messages.error(request, "请填写免职时间。")
    team_id = holding.team_post.team_id if holding.team_post_id else None
    if team_id is None:
        return redirect("cadres:teams")
    return redirect("cadres:team_detail", pk=team_id)


@login_required
def team_structure_view(request):
    kind = request.GET.get("kind")
    kind = kind if kind in TeamKind.values else None
    result = selectors.county_structure(user=request.user, kind=kind)
    s = result["structure"]
    chart = {
        "age": s["age"],
        "gender": s["gender"],
        "education": s["education"],
        "specialties": result["specialties"][:12],
        "shortfalls": result["shortfalls"],
        "college": [
            [selectors.COLLEGE_LABEL, s["college"]],
            ["专科及以下或未填写", s["total"] - s["college"]],
        ],
    }
    return render(
        request,
        "cadres/teams/team_structure.html",
        {"result": result, "s": s, "chart": chart, "kind": kind, "kinds": TeamKind.choices},
    )


# --- targets ---------------------------------------------------------------------------------
@login_required
def team_targets_view(request):
    if not services.may_write_teams(request.user):
        raise Http404("只有干部科可以设置班子结构目标。")
    targets = list(TeamTarget.objects.order_by("kind", "pk"))
    return render(
        request,
        "cadres/teams/team_targets.html",
        {
            "rows": [(t, TargetForm(instance=t, prefix=f"t{t.pk}")) for t in targets],
            "form": TargetForm(prefix="new", initial={"value": 1, "is_active": True}),
            "kinds": TargetKind.choices,
        },
    )


@login_required
@require_POST
def team_target_add_view(request):
    if not services.may_write_teams(request.user):
        raise Http404("只有干部科可以设置班子结构目标。")
    form = TargetForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            target = services.team_target_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已新增目标：{target.label}。")
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("cadres:team_targets")


@login_required
@require_POST
def team_target_edit_view(request, pk):
    target = services.team_target_get_for_write(actor=request.user, pk=pk)
    form = TargetForm(request.POST, instance=TeamTarget.objects.get(pk=target.pk), prefix=f"t{pk}")
    if form.is_valid():
        try:
            services.team_target_update(actor=request.user, target=target, data=form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已保存目标：{target.label}。")
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect(f"{reverse('cadres:team_targets')}#target-{pk}")


@login_required
@require_POST
def team_targets_defaults_view(request):
    if not services.may_write_teams(request.user):
        raise Http404("只有干部科可以设置班子结构目标。")
    created = services.team_targets_load_defaults(actor=request.user)
    if created:
        messages.success(request, f"已载入 {len(created)} 项默认目标。")
    else:
        messages.error(request, "已有结构目标，未载入默认目标。")
    return redirect("cadres:team_targets")
