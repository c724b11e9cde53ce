"""Branch committee pages (支部委员会): thin adapters over zuzhi.orgs.committee. The roster is
its own page, also loaded into the organization's detail page as a section."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.core.forms import apply_service_errors
from zuzhi.members.models import Member
from zuzhi.members.services import MEMBER_ORG_TYPES

from . import committee, selectors
from .models import CommitteePosition

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AppointForm(forms.Form):
    """Collects input only; the rules live in zuzhi.orgs.committee."""

    member = forms.ModelChoiceField(label="党员", queryset=Member.objects.none())
    position = forms.ChoiceField(label="职务", choices=CommitteePosition.choices)
    started_on = forms.DateField(label="任职日期", widget=DATE)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(organization=organization).order_by(
            "name"
        )


class EndTermForm(forms.Form):
    ended_on = forms.DateField(label="离任日期", widget=DATE)


def _render(request, org, appoint_form=None):
    is_branch = org.org_type in MEMBER_ORG_TYPES
    context = {
        "org": org,
        "is_branch": is_branch,
        "seats": committee.committee_roster(user=request.user, organization=org)
        if is_branch
        else [],
        "history": committee.committee_history(user=request.user, organization=org)[:30]
        if is_branch
        else [],
        "appoint_form": appoint_form
        or AppointForm(organization=org, initial={"started_on": timezone.localdate()}),
        "end_form": EndTermForm(initial={"ended_on": timezone.localdate()}),
    }
    template = (
        "orgs/_committee.html" if request.headers.get("HX-Request") else "orgs/committee.html"
    )
    return render(request, template, context)


@login_required
def committee_view(request, pk):
    return _render(request, selectors.org_get(user=request.user, pk=pk))


@login_required
@require_POST
def committee_appoint_view(request, pk):
    org = selectors.org_get(user=request.user, pk=pk)
    form = AppointForm(request.POST, organization=org)
    if form.is_valid():
        try:
            seat = committee.committee_appoint(
                actor=request.user, organization=org, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已任命{seat.member.name}为{seat.get_position_display()}。")
            return redirect(f"{reverse('orgs:detail', args=[org.pk])}#committee")
    return _render(request, org, appoint_form=form)


@login_required
@require_POST
def committee_end_view(request, pk):
    seat = committee.committee_seat_get(user=request.user, pk=pk)
    form = EndTermForm(request.POST)
    if form.is_valid():
        try:
            committee.committee_end_term(
                actor=request.user, seat=seat, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(
                request, f"{seat.member.name}已不再担任{seat.get_position_display()}。"
            )
    else:
        messages.error(request, "请填写离任日期。")
    return redirect(f"{reverse('orgs:detail', args=[seat.organization_id])}#committee")
