from django import forms

from .selectors import PRESETS, Period, period_preset

# A longer span draws more monthly bars than a phone can show and says little more.
MAX_PERIOD_DAYS = 5 * 366


class PeriodForm(forms.Form):
    """The overview's period (统计期间): a preset (本季度、本年、上年) or from/to dates.
    Collects input only; the default, with nothing chosen, is this year."""

    preset = forms.ChoiceField(
        label="期间", choices=[("", "自定义"), *PRESETS.items()], required=False
    )
    start = forms.DateField(
        label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if data.get("preset") or (start is None and end is None):
            if not self.errors:
                data["period"] = period_preset(data.get("preset") or "year", self.today)
            return data
        if start is None or end is None:
            raise forms.ValidationError("请同时填写开始日期和结束日期。")
        if start > end:
            raise forms.ValidationError("开始日期不能晚于结束日期。")
        if (end - start).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError("统计期间最长五年。")
        data["period"] = Period(start, end)
        return data

    def period(self) -> Period:
        """The chosen period, or this year when the input is invalid (the errors are shown)."""
        if self.is_valid():
            return self.cleaned_data["period"]
        return period_preset("year", self.today)
