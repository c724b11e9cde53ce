"""Forms of the subsidy pages: they only collect input (yuan typed, fen passed on); the rules
are the services'."""

from django import forms

from zuzhi.core.money import YuanField, yuan
from zuzhi.talent.models import Degree

from .months import parse_month


class PolicyForm(forms.Form):
    name = forms.CharField(label="政策名称", max_length=128)
    max_age_at_arrival = forms.IntegerField(
        label="来县工作时年龄上限（周岁，空为不限）", required=False, min_value=16, max_value=80
    )
    require_county_employer = forms.BooleanField(
        label="须在本县单位工作", required=False, initial=True
    )
    arrived_from = forms.DateField(label="来县工作时间起（空为不限）", required=False)
    arrived_until = forms.DateField(label="来县工作时间止（空为不限）", required=False)
    duration_months = forms.IntegerField(
        label="发放期限（月）", initial=36, min_value=1, max_value=240
    )
    active = forms.BooleanField(label="受理申请", required=False, initial=True)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        amounts = policy.amounts_fen if policy else None
        for degree, label in Degree.choices:
            name = f"amount_{degree}"
            self.fields[name] = YuanField(label=f"{label}每月补贴（元，空为不补贴）")
            if amounts and degree in amounts:
                self.initial[name] = yuan(amounts[degree])
        if policy:
            for name in self.base_fields:
                self.initial.setdefault(name, getattr(policy, name))

    def clean(self):
        data = super().clean()
        data["amounts_fen"] = {
            degree: data[f"amount_{degree}"]
            for degree, _ in Degree.choices
            if data.get(f"amount_{degree}") is not None
        }
        return data

    def policy_data(self) -> dict:
        data = dict(self.cleaned_data)
        return {k: v for k, v in data.items() if not k.startswith("amount_")}


class ApplicationForm(forms.Form):
    policy = forms.ModelChoiceField(label="补贴政策", queryset=None, empty_label=None)
    id_number = forms.CharField(label="人才公民身份号码（人才库中的）", max_length=18)
    employer_in_county = forms.BooleanField(label="用人单位在本县（已核实）", required=False)
    bank_name = forms.CharField(label="开户银行", max_length=64)
    bank_account = forms.CharField(label="银行账号", max_length=40)
    degree_certificate = forms.FileField(label="学历学位证书")
    labour_contract = forms.FileField(label="劳动合同")

    def __init__(self, *args, policies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = policies


class RejectForm(forms.Form):
    reason = forms.CharField(label="未通过原因", max_length=200)


class CorrectionForm(forms.Form):
    month = forms.CharField(label="更正月份（YYYY-MM）", max_length=7)
    amount = YuanField(label="金额（元；补发为正，扣回为负）", negative=True, required=True)
    reason = forms.CharField(label="原因", max_length=200)

    def clean_month(self):
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError("月份格式应为 YYYY-MM，如 2026-03。")
        return month


class RunForm(forms.Form):
    policy = forms.ModelChoiceField(label="补贴政策", queryset=None, empty_label=None)
    month = forms.CharField(label="发放月份（YYYY-MM）", max_length=7)

    def __init__(self, *args, policies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = policies

    def clean_month(self):
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError("月份格式应为 YYYY-MM，如 2026-03。")
        return month


class LineNoteForm(forms.Form):
    note = forms.CharField(label="备注", max_length=200, required=False)
