from django import forms

from .models import CaseStatus, Decision, Trigger


class CaseFilterForm(forms.Form):
    trigger = forms.ChoiceField(
        label="触发情形", required=False, choices=[("", "全部")] + Trigger.choices
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部")] + CaseStatus.choices
    )
    q = forms.CharField(label="姓名或班子", required=False, max_length=64)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="处理决定", choices=[("", "请选择")] + Decision.choices)
    decision_reason = forms.CharField(
        label="理由",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="保留现职须写明理由。",
    )
    decided_on = forms.DateField(
        label="决定日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
