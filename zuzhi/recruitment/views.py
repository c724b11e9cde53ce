"""Recruitment pages (发展党员): who is at which step, and the next step with its earliest date."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from zuzhi.core.codes import code_map
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.personal import personal_view
from zuzhi.members.models import MemberCategory
from zuzhi.members.services import MEMBER_ORG_TYPES
from zuzhi.orgs.picker import OrgPickerField

from . import selectors, services
from .models import Stage


class ApplyForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=32)
    id_number = forms.CharField(label="公民身份号码", max_length=18)
    ethnicity = forms.ChoiceField(label="民族", choices=())
    education = forms.ChoiceField(label="学历", choices=(), required=False)
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    category = forms.ChoiceField(label="人员类别", choices=MemberCategory.choices)
    work_unit = forms.CharField(label="工作单位及职务", max_length=128, required=False)
    applied_on = forms.DateField(
        label="递交入党申请书日期", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "organization": OrgPickerField(user=user, label="党支部", org_types=MEMBER_ORG_TYPES),
            **self.fields,
        }
        self.fields["ethnicity"].choices = list(code_map("GB3304").items())
        self.fields["education"].choices = [("", "—"), *code_map("ZB64").items()]


class StepForm(forms.Form):
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))


@login_required
def candidate_list_view(request):
    stage = request.GET.get("stage") or None
    candidates = list(selectors.candidate_list(user=request.user, stage=stage))
    counts = {s: 0 for s in Stage.values if s != Stage.WITHDRAWN}
    for c in selectors.candidate_list(user=request.user):
        counts[c.stage] += 1
    for c in candidates:
        c.earliest = services.earliest_next_step(c)
    return render(
        request,
        "recruitment/candidate_list.html",
        {
            "candidates": candidates,
            "stage": stage,
            "stages": [(s, Stage(s).label, n) for s, n in counts.items()],
        },
    )


@login_required
def candidate_apply_view(request):
    form = ApplyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization, applied_on = data.pop("organization"), data.pop("applied_on")
        try:
            candidate = services.candidate_apply(
                actor=request.user, organization=organization, applied_on=applied_on, data=data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已登记 {candidate.name} 的入党申请。")
            return redirect("recruitment:detail", pk=candidate.pk)
    return render(request, "recruitment/candidate_apply.html", {"form": form})


@login_required
def candidate_detail_view(request, pk):
    candidate = selectors.candidate_get(user=request.user, pk=pk)
    earliest = services.earliest_next_step(candidate)
    form = StepForm(
        request.POST or None,
        initial={"on": max(earliest, timezone.localdate()) if earliest else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            candidate = services.candidate_advance(
                actor=request.user, candidate=candidate, on=form.cleaned_data["on"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, f"{candidate.name} 已进入“{candidate.get_stage_display()}”阶段。"
            )
            return redirect("recruitment:detail", pk=candidate.pk)
    next_stage = services.NEXT.get(candidate.stage)
    # Masked to every role: no page reveals a candidate's ID number.
    personal_view(user=request.user, objects=[candidate], where=request.path, reveal=False)
    return render(
        request,
        "recruitment/candidate_detail.html",
        {
            "candidate": candidate,
            "earliest": earliest,
            "next_label": Stage(next_stage).label if next_stage else None,
            "form": form,
        },
    )
