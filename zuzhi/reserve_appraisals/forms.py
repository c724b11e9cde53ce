"""Forms that only collect input; the services check the rules."""

from django import forms
from django.utils import timezone

from .models import HalfYear, Outcome
from .services import MAX_CODES, MAX_REASON


class AppraisalOpenForm(forms.Form):
    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["township"] = forms.ModelChoiceField(
            label="乡镇（街道）", queryset=townships, empty_label="请选择"
        )
        self.fields["year"] = forms.IntegerField(
            label="年度", min_value=1900, max_value=2100, initial=today.year
        )
        self.fields["half"] = forms.TypedChoiceField(
            label="半年",
            choices=HalfYear.choices,
            coerce=int,
            initial=HalfYear.FIRST if today.month <= 6 else HalfYear.SECOND,
        )
        self.fields["opened_on"] = forms.DateField(
            label="考评日期",
            initial=today,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        self.fields["codes"] = forms.IntegerField(
            label="选票码数量（参加测评的人数）", min_value=1, max_value=MAX_CODES, initial=20
        )


class InspectionForm(forms.Form):
    inspection = forms.CharField(
        label="考察情况",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class DecideForm(forms.Form):
    reason = forms.CharField(
        label="说明（退出须写明原因）",
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, in_pool: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # A reserve who left the pool since the appraisal opened has only that to record.
        choices = [(o.value, o.label) for o in Outcome if (o == Outcome.LEFT) != in_pool]
        self.fields["outcome"] = forms.ChoiceField(
            label="考评结果运用", choices=choices, widget=forms.RadioSelect
        )
        self.order_fields(["outcome", "reason"])
