"""Forms of village reserves: they collect input only; the rules live in services.py."""

from django import forms
from django.urls import reverse

from zuzhi.core.personal import personal_form_masked, personal_form_unchanged
from zuzhi.members.forms import code_choices

from . import selectors as sel
from .models import ReserveCandidate, ReturningTalent


class CandidateForm(forms.ModelForm):
    education = forms.ChoiceField(label="学历", required=False, choices=())

    class Meta:
        model = ReserveCandidate
        fields = [
            "village",
            "id_number",
            "name",
            "phone",
            "education",
            "source",
            "discovery",
            "willing",
            "willingness_note",
            "returning_talent",
        ]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})}
        help_texts = {
            "id_number": "性别、出生日期按号码自动填写；党员、干部信息库中已有的，"
            "姓名、学历、电话自动取用，不必再填。",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = sel.villages(user=user)
        self.fields["returning_talent"].queryset = sel.talent_list(user=user)
        self.fields["education"].choices = code_choices("ZB64", blank=True)
        self.fields["name"].required = False
        self.masks = personal_form_masked(self) if self.instance.pk else {}
        # The registry hint (views.registry_lookup_view) as the number is typed.
        self.fields["id_number"].widget.attrs.update(
            {
                "hx-get": reverse("reserves:registry_lookup"),
                "hx-trigger": "input changed delay:400ms, change",
                "hx-target": "#registry-hint",
                "aria-describedby": "registry-hint",
            }
        )

    def service_data(self) -> dict:
        return personal_form_unchanged(self.cleaned_data, self.masks)


class TalentForm(forms.ModelForm):
    class Meta:
        model = ReturningTalent
        fields = [
            "home_village",
            "name",
            "id_number",
            "whereabouts",
            "occupation",
            "phone",
            "last_contact_on",
            "contact_person",
            "note",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            "last_contact_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_village"].queryset = sel.villages(user=user)
        self.masks = personal_form_masked(self) if self.instance.pk else {}

    def service_data(self) -> dict:
        return personal_form_unchanged(self.cleaned_data, self.masks)
