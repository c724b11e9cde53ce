"""Forms of reserve use: they collect input only; the rules live in services.py."""

from django import forms

from . import selectors as sel
from .models import ReserveAssignment

DATE = {"type": "date"}


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = ReserveAssignment
        fields = ["candidate", "kind", "title", "started_on", "ended_on"]
        widgets = {
            "started_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "ended_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["candidate"]
        # Any reserve in scope is accepted, so that one who left the pool meanwhile gets the
        # service's reason; the list offers those in the pool.
        field.queryset = sel.reserve_selectors.candidates_visible(user=user)
        field.widget.choices = [("", "—— 请选择 ——")] + [
            (c.pk, f"{c.name}（{c.village.name}）") for c in sel.assignable_reserves(user=user)
        ]


class ResultForm(forms.ModelForm):
    class Meta:
        model = ReserveAssignment
        fields = ["performance", "ended_on", "rating"]
        widgets = {
            "performance": forms.Textarea(attrs={"rows": 5}),
            "ended_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        }


class ElectionForm(forms.Form):
    """The village and date; who was elected comes as one pair of seat choices per reserve
    of the village (`seat_branch_<id>`, `seat_village_<id>`), read by the view."""

    held_on = forms.DateField(label="选举日期", widget=forms.DateInput(attrs=DATE))
    note = forms.CharField(label="说明", max_length=200, required=False)
