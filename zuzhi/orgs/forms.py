from django import forms

from zuzhi.core.forms import apply_service_errors

from .models import Organization
from .services import EDITABLE_FIELDS


class OrganizationForm(forms.ModelForm):
    """Collects input only; the rules live in zuzhi.orgs.services."""

    parent_code = forms.CharField(label="上级组织代码", max_length=32, required=False)

    class Meta:
        model = Organization
        fields = [f for f in EDITABLE_FIELDS if f != "is_active"] + ["is_active"]
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "term_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "term_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.parent_id and not self.is_bound:
            self.initial["parent_code"] = self.instance.parent.code

    def _post_clean(self):
        # Validation is the service's job (it reports in Chinese, with the same rules as the
        # API and the import); skip ModelForm's own model validation.
        pass

    def apply_service_errors(self, exc) -> None:
        apply_service_errors(self, exc, rename={"parent": "parent_code"})


class RectificationForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    problems = forms.CharField(label="存在问题", widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(
        label="整顿措施", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    responsible = forms.CharField(label="包联责任人", max_length=64, required=False)
    deadline = forms.DateField(
        label="整顿时限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RectificationStepForm(forms.Form):
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    action = forms.CharField(label="开展工作", widget=forms.Textarea(attrs={"rows": 2}))


class RectificationCloseForm(forms.Form):
    note = forms.CharField(label="销号意见", widget=forms.Textarea(attrs={"rows": 2}))
