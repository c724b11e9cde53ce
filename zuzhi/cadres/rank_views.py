"""Rank pages (职级): the county's quota table, a unit's establishment, granting a rank,
a staff grade, correcting a record, the eligible list and a cadre's rank history (a partial
the cadre's page loads). Thin adapters over rank_services and rank_selectors."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors

from . import rank_rules, rank_selectors, rank_services
from .models import Rank, StaffGrade


class EstablishmentForm(forms.Form):
    posts = forms.IntegerField(label="公务员编制数", min_value=0, max_value=rank_services.MAX_POSTS)


class GrantForm(forms.Form):
    rank = forms.ChoiceField(label="职级", choices=Rank.choices)
    reached_on = forms.DateField(label="任职级时间", widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.CharField(label="批准文号", max_length=64, required=False)


class CorrectForm(forms.Form):
    reached_on = forms.DateField(label="任职级时间", widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.CharField(label="批准文号", max_length=64, required=False)


class StaffGradeForm(forms.Form):
    grade = forms.ChoiceField(label="职员等级", choices=StaffGrade.choices)
    reached_on = forms.DateField(
        label="任职员等级时间", widget=forms.DateInput(attrs={"type": "date"})
    )


QUOTA_HEADERS = [
    "单位",
    "公务员编制数",
    *[
        f"{g.label}{part}"
        for g in rank_rules.QUOTA_GROUPS
        for part in ("（已有）", f"（职数，{g.percent}%）")
    ],
    "超职数",
]


def _quota_row(row: rank_selectors.UnitQuota) -> list:
    cells = [row.name, row.posts if row.posts is not None else "未设置"]
    for use in row.uses:
        cells += [use.used, use.quota if use.quota is not None else "—"]
    return [*cells, "是" if row.over else ""]


@login_required
def rank_quotas_view(request):
    """职级职数: each unit's posts and, per quota group, holders against the quota."""
    rows = rank_selectors.unit_quotas(user=request.user)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            actor=request.user,
            filename="职级职数使用情况",
            headers=QUOTA_HEADERS,
            rows=(_quota_row(r) for r in rows),
            target_type="cadres.unitestablishment",
            message=rank_rules.QUOTA_ROUNDING_NOTE,
        )
    return render(
        request,
        "cadres/ranks/quotas.html",
        {
            "rows": rows,
            "groups": rank_rules.QUOTA_GROUPS,
            "rounding": rank_rules.QUOTA_ROUNDING_NOTE,
        },
    )


@login_required
def establishment_edit_view(request, org_id):
    org = rank_selectors.unit_for_establishment(user=request.user, org_id=org_id)
    current = getattr(org, "establishment", None)
    form = EstablishmentForm(
        request.POST or None, initial={"posts": current.posts if current else None}
    )
    if request.method == "POST" and form.is_valid():
        try:
            rank_services.establishment_set(
                actor=request.user, organization=org, posts=form.cleaned_data["posts"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, f"已将{org.name}的公务员编制数设为 {form.cleaned_data['posts']}。"
            )
            return redirect("cadres:rank_quotas")
    return render(
        request,
        "cadres/ranks/establishment_form.html",
        {
            "org": org,
            "form": form,
            "uses": rank_selectors.unit_quotas(user=request.user, organization=org),
            "rounding": rank_rules.QUOTA_ROUNDING_NOTE,
        },
    )


def _next_rank(cadre) -> str | None:
    return rank_rules.rank_above(cadre.rank) if cadre.rank in Rank.values else None


def _history(cadre, *, can_edit: bool) -> dict:
    """What the history partial shows, with labels rather than stored codes."""
    return {
        "cadre": cadre,
        "current_rank": Rank(cadre.rank).label if cadre.rank in Rank.values else "",
        "current_grade": (
            StaffGrade(cadre.staff_grade).label if cadre.staff_grade in StaffGrade.values else ""
        ),
        "grants": rank_selectors.rank_history(cadre=cadre),
        "staff_grades": rank_selectors.staff_grade_history(cadre=cadre),
        "can_edit": can_edit,
    }


@login_required
def rank_grant_view(request, pk):
    """晋升职级 for one cadre: the next rank proposed, refused with the rule it breaks."""
    cadre = rank_selectors.rank_cadre_get(user=request.user, pk=pk, write=True)
    next_rank = _next_rank(cadre)
    form = GrantForm(
        request.POST or None,
        initial={"rank": next_rank or "", "reached_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            grant = rank_services.rank_grant(actor=request.user, cadre=cadre, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已记录 {cadre.name} 晋升{grant.get_rank_display()}。")
            return redirect("cadres:rank_grant", pk=cadre.pk)
    return render(
        request,
        "cadres/ranks/grant_form.html",
        {
            **_history(cadre, can_edit=True),
            "form": form,
            "next_rank": Rank(next_rank).label if next_rank else None,
            "earliest": (
                rank_rules.earliest_promotion(cadre.rank_since, next_rank)
                if next_rank and cadre.rank_since
                else None
            ),
        },
    )


@login_required
def rank_history_view(request, pk):
    """The rank and staff-grade history of a cadre, as a partial for the cadre's page."""
    cadre = rank_selectors.rank_cadre_get(user=request.user, pk=pk)
    return render(request, "cadres/ranks/_history.html", _history(cadre, can_edit=False))


@login_required
def staff_grade_view(request, pk):
    cadre = rank_selectors.rank_cadre_get(user=request.user, pk=pk, write=True)
    form = StaffGradeForm(request.POST or None, initial={"reached_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            grant = rank_services.staff_grade_set(
                actor=request.user, cadre=cadre, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已记录 {cadre.name} 任{grant.get_grade_display()}。")
            return redirect("cadres:rank_grant", pk=cadre.pk)
    return render(request, "cadres/ranks/staff_grade_form.html", {"cadre": cadre, "form": form})


@login_required
def rank_grant_correct_view(request, grant_id):
    grant = rank_selectors.rank_grant_get(user=request.user, pk=grant_id)
    form = CorrectForm(
        request.POST or None,
        initial={"reached_on": grant.reached_on, "document": grant.document},
    )
    if request.method == "POST" and form.is_valid():
        try:
            rank_services.rank_grant_correct(actor=request.user, grant=grant, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已更正职级记录。")
            return redirect("cadres:rank_grant", pk=grant.cadre_id)
    return render(request, "cadres/ranks/grant_correct.html", {"grant": grant, "form": form})


@login_required
@require_POST
def rank_grant_delete_view(request, grant_id):
    grant = rank_selectors.rank_grant_get(user=request.user, pk=grant_id)
    rank_services.rank_grant_delete(actor=request.user, grant=grant)
    messages.success(request, f"已删除{grant.get_rank_display()}记录。")
    return redirect("cadres:rank_grant", pk=grant.cadre_id)


@login_required
def rank_eligible_view(request):
    """达到最低任职年限: who may be considered for the next rank today (not a ranking)."""
    rows = rank_selectors.promotion_eligible(user=request.user, on=timezone.localdate())
    # Beside each person, the places left in their unit for the next rank's quota group.
    uses = {
        (unit.organization_id, use.group): use
        for unit in rank_selectors.unit_quotas(user=request.user)
        for use in unit.uses
    }
    for row in rows:
        group = rank_rules.quota_group(row.next_rank)
        row.quota_use = uses.get((row.cadre.organization_id, group)) if group else None
    return render(request, "cadres/ranks/eligible.html", {"rows": rows})
