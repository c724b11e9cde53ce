"""Forms of village reserves: they collect input only; the rules live in services.py."""

from django import forms
from django.urls import reverse

from zuzhi.core.personal import personal_form_masked, personal_form_unchanged
from zuzhi.members.forms import code_choices
from zuzhi.orgs.picker import org_choice_field
from zuzhi.orgs.selectors import PickerMode

from . import selectors as sel
from .models import ReserveCandidate, ReturningTalent
from .scoping import VILLAGE_CATEGORIES


def village_field(field, *, user):
    """The village of a record: a select of the user's villages, the picker for a province's."""
    return org_choice_field(
        field,
        user=user,
        queryset=sel.villages(user=user),
        mode=PickerMode.STAFF,
        unit_categories=VILLAGE_CATEGORIES,
    )


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
        self.fields["village"] = village_field(self.fields["village"], user=user)
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
        self.fields["home_village"] = village_field(self.fields["home_village"], user=user)
        self.masks = personal_form_masked(self) if self.instance.pk else {}

    def service_data(self) -> dict:
        return personal_form_unchanged(self.cleaned_data, self.masks)
