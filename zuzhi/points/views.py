"""Points pages: yearly points per member (never ranked unless the county turns it on),
branch summaries, manual entries and the county's rules."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from zuzhi.core.export_jobs import export_or_enqueue
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.roles import Role
from zuzhi.core.scope import has_role
from zuzhi.members.selectors import member_get

from . import selectors, services
from .exports import member_points_filtered, points_year
from .models import PointRule, RuleSource

PAGE_SIZE = 50


class EntryForm(forms.Form):
    rule = forms.ModelChoiceField(label="规则", queryset=PointRule.objects.none())
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="原因", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = PointRule.objects.filter(
            source=RuleSource.MANUAL, is_active=True
        )


@login_required
def points_view(request):
    if request.GET.get("export") == "xlsx":
        return export_or_enqueue(request, kind="points")
    if request.GET.get("view") == "branches":
        year = points_year(request.GET)
        rows = selectors.branch_points(user=request.user, year=year)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "points/branches.html", {"page": page, "year": year})
    rows, year, within = member_points_filtered(user=request.user, params=request.GET)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "points/member_points.html",
        {"page": page, "year": year, "within": within, "q": request.GET.get("q", "")},
    )


@login_required
def entry_view(request, member_pk):
    member = member_get(user=request.user, pk=member_pk)
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.point_entry_add(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已登记。")
            return redirect(f"{request.path}")
    entries = member.point_entries.select_related("rule")[:50]
    return render(
        request, "points/entry.html", {"member": member, "form": form, "entries": entries}
    )


@login_required
def rules_view(request):
    rules = PointRule.objects.all()
    editable = has_role(request.user, Role.COUNTY_STAFF)
    if request.method == "POST":
        rule = PointRule.objects.filter(pk=request.POST.get("rule")).first()
        if rule is None:
            raise Http404
        try:
            services.point_rule_update(
                actor=request.user,
                rule=rule,
                data={
                    "points": int(request.POST.get("points", rule.points)),
                    "is_active": request.POST.get("is_active") == "on",
                },
            )
        except ValueError:
            messages.error(request, "分值应为整数。")
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            messages.success(request, f"已修改“{rule.name}”。")
        return redirect("points:rules")
    return render(request, "points/rules.html", {"rules": rules, "editable": editable})
