"""Forms that only collect input; the services check it."""

from django import forms

from .models import EntryKind, SupervisionKind, WatchReason
from .services import MAX_TEXT


class EntryForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="类别", choices=EntryKind.choices)
    category = forms.CharField(label="分类", max_length=64, required=False)
    text = forms.CharField(
        label="内容", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.FileField(
        label="佐证材料", required=False, help_text="可上传 pdf、jpg、png、doc(x)、xls(x)、txt。"
    )


class SupervisionForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=SupervisionKind.choices)
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label="来源", max_length=128, help_text="如：县纪委监委、巡察反馈")
    text = forms.CharField(
        label="内容", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class WatchForm(forms.Form):
    reason_kind = forms.ChoiceField(label="纳入原因", choices=WatchReason.choices)
    note = forms.CharField(
        label="说明", max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
