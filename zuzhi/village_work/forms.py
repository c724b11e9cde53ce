"""Forms of the resident village work pages: they collect input only; the rules are the
services' (their errors are mapped back onto the fields)."""

import datetime

from django import forms

from zuzhi.cadres.models import Cadre
from zuzhi.cadres.models.scoping import cadre_section_q
from zuzhi.orgs.models import Organization, UnitCategory
from zuzhi.orgs.picker import org_choice_field
from zuzhi.orgs.selectors import PickerMode

from . import services
from .models import AssignmentRole, AssignmentStatus

DATE = forms.DateInput(attrs={"type": "date"})


class AssignmentForm(forms.Form):
    cadre = forms.ModelChoiceField(label="干部", queryset=Cadre.objects.none())
    village = forms.ModelChoiceField(label="驻村", queryset=Organization.objects.none())
    role = forms.ChoiceField(label="驻村身份", choices=AssignmentRole.choices)
    sending_unit = forms.CharField(label="派出单位", max_length=128)
    start = forms.DateField(label="任期开始", widget=DATE)
    end = forms.DateField(label="任期届满", widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the user's cadre section covers; the service checks again.
        cadres = Cadre.objects.none()
        villages = Organization.objects.none()
        if (q := cadre_section_q(user, "organization__path")) is not None:
            cadres = (
                Cadre.objects.filter(q, is_active=True)
                .exclude(village_assignments__status=AssignmentStatus.ACTIVE)
                .order_by("name")
            )
        if (q := cadre_section_q(user, "path")) is not None:
            villages = Organization.objects.filter(
                q, unit_category=UnitCategory.VILLAGE, is_active=True
            ).order_by("path")
        self.fields["cadre"].queryset = cadres
        # A province's cadre section chooses among its villages with the picker.
        self.fields["village"] = org_choice_field(
            self.fields["village"],
            user=user,
            queryset=villages,
            mode=PickerMode.CADRES,
            unit_categories=(UnitCategory.VILLAGE,),
        )
        self.fields["cadre"].label_from_instance = lambda c: f"{c.name}（{c.unit_name}）"


class EndForm(forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DATE)
    end_reason = forms.CharField(label="结束原因", max_length=200, required=False)


class ReportForm(forms.Form):
    """The monthly report on a phone: the month preselected, three big text boxes."""

    month = forms.ChoiceField(label="述职月份")
    work_done = forms.CharField(
        label="本月做了什么",
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6, "class": "big"}),
    )
    problems = forms.CharField(
        label="遇到的问题",
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "class": "big"}),
    )
    next_plan = forms.CharField(
        label="下月计划",
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "class": "big"}),
    )

    def __init__(self, *args, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(m.isoformat(), f"{m:%Y年%m月}") for m in months]

    def clean_month(self):
        return datetime.date.fromisoformat(self.cleaned_data["month"])


class ReviewForm(forms.Form):
    date = forms.DateField(label="评议日期", widget=DATE)
    grade = forms.ChoiceField(label="评议等次")
    comments = forms.CharField(
        label="评议意见",
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, grades, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g.code, g.name) for g in grades]
