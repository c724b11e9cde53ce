from django import forms

from zuzhi.core.forms import apply_service_errors
from zuzhi.core.personal import personal_form_masked, personal_form_unchanged
from zuzhi.core.scope import subtree_q

from .models import BRANCH_TYPES, Organization, OrgType
from .picker import OrgPickerField
from .services import EDITABLE_FIELDS


class OrganizationForm(forms.ModelForm):
    """Collects input only; the rules live in zuzhi.orgs.services.

    The parent is chosen with the organization picker from the user's own part of the tree.
    A branch (党支部) has no subordinate Party organizations, and an organization cannot sit
    under itself, so those are not offered; the current parent always is, even above the
    user's scope (a township's own county committee), so that saving other fields never asks
    for a move.
    """

    class Meta:
        model = Organization
        fields = ["parent", *[f for f in EDITABLE_FIELDS if f != "is_active"], "is_active"]
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "term_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "term_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "secretary_phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        org = self.instance
        parent = OrgPickerField(
            user=user,
            label="上级组织",
            org_types=[t for t in OrgType.values if t not in BRANCH_TYPES],
            # Only the system creates top-level organizations; a root keeps having no parent.
            required=not (org.pk and org.parent_id is None),
        )
        if not org.pk:
            code = self.fields["code"]
            code.required = False
            code.help_text = "系统按上级组织建议下一个代码，可修改；留空则自动编号。"
        else:
            choices = parent.queryset.exclude(subtree_q(org.path))
            if org.parent_id:
                choices = choices | Organization.objects.filter(pk=org.parent_id)
            parent.queryset = choices
            # Said only where there is something to move.
            parent.help_text = "改为其他上级组织时，本组织及其全部下级组织随之移动。"
        self.fields["parent"] = parent
        self.masks = personal_form_masked(self)

    def _post_clean(self):
        # Validation is the service's job (it reports in Chinese, with the same rules as the
        # API and the import); skip ModelForm's own model validation.
        pass

    def service_data(self) -> dict:
        """The cleaned input as the service takes it (the service moves only on a new parent)."""
        data = {k: v for k, v in self.cleaned_data.items() if k in EDITABLE_FIELDS}
        data = personal_form_unchanged(data, self.masks)
        if self.cleaned_data.get("parent") is not None:
            data["parent"] = self.cleaned_data["parent"]
        return data

    def apply_service_errors(self, exc) -> None:
        apply_service_errors(self, exc)


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
