"""Forms of the assessment and promotion pages: they collect input only; the services decide."""

from django import forms
from django.utils import timezone

from zuzhi.cadres.models import Rank
from zuzhi.orgs.picker import OrgPickerField
from zuzhi.orgs.selectors import PickerMode

DATE = forms.DateInput(attrs={"type": "date"})


class AssessmentOpenForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "organization": OrgPickerField(user=user, label="单位", mode=PickerMode.CADRES),
            "year": forms.IntegerField(
                label="年度", min_value=1900, max_value=2100, initial=timezone.localdate().year - 1
            ),
        }


class PromotionRoundForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "name": forms.CharField(label="名称", max_length=100),
            "organization": OrgPickerField(
                user=user, label="范围（县或单位）", mode=PickerMode.CADRES
            ),
            "cutoff": forms.DateField(label="任职年限计算截止日期", widget=DATE),
        }


class OfferForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "organization": OrgPickerField(user=user, label="单位", mode=PickerMode.CADRES),
            # Every rank but the lowest (二级科员), which nobody is promoted to.
            "rank": forms.ChoiceField(label="晋升职级", choices=Rank.choices[:-1]),
            "places": forms.IntegerField(
                label="名额", min_value=0, max_value=10_000, help_text="填 0 取消该项名额。"
            ),
        }


class DecideForm(forms.Form):
    effective_on = forms.DateField(label="晋升生效日期", widget=DATE)
    document = forms.CharField(label="批准文号", max_length=64, required=False)
