from django import forms

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
        for field, messages in exc.message_dict.items():
            target = "parent_code" if field == "parent" else field
            for message in messages:
                self.add_error(target if target in self.fields else None, message)
