from django import forms

from zuzhi.core.codes import code_map
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.personal import personal_form_masked, personal_form_unchanged
from zuzhi.orgs.picker import OrgPickerField
from zuzhi.orgs.selectors import PickerMode

from .models import CaseKind, Member, member_date_display
from .services import EDITABLE_FIELDS, MEMBER_ORG_TYPES

# Dates that a roster may give as 年月 only; the form itself takes full dates only.
MONTH_DATE_FIELDS = ("join_date", "full_date")


def code_choices(table: str, blank: bool = False):
    choices = [(code, name) for code, name in code_map(table).items()]
    return [("", "—")] + choices if blank else choices


class MemberForm(forms.ModelForm):
    """Collects input only; the rules live in zuzhi.members.services.

    A date recorded with its year and month only (年月, from an import) is not put in its
    date box, where it would show an invented day: the box stays empty, the help text shows
    the record, and left empty the field is not sent, so the record keeps its 年月. A full
    date typed in replaces it (member_update clears the flag).
    """

    gender = forms.ChoiceField(
        label="性别", required=False, choices=[("", "按身份号码"), ("1", "男"), ("2", "女")]
    )
    ethnicity = forms.ChoiceField(label="民族", choices=())
    education = forms.ChoiceField(label="学历", required=False, choices=())

    class Meta:
        model = Member
        fields = [f for f in EDITABLE_FIELDS if not f.endswith("_month_only")]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "join_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "full_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        }
        help_texts = {"birth_date": "可不填，按公民身份号码自动填写。"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # Chosen by name from the user's scope; moving a member is a transfer (组织关系转接).
            self.fields = {
                "organization": OrgPickerField(
                    user=user, label="所在党组织", org_types=MEMBER_ORG_TYPES
                ),
                **self.fields,
            }
        self.fields["ethnicity"].choices = code_choices("GB3304")
        self.fields["education"].choices = code_choices("ZB64", blank=True)
        self.fields["birth_date"].required = False
        self.kept_month_only = []
        self.masks = {}
        if self.instance.pk:
            self.masks = personal_form_masked(self)
            for name in MONTH_DATE_FIELDS:
                if getattr(self.instance, f"{name}_month_only"):
                    self.kept_month_only.append(name)
                    self.initial[name] = None
                    self.fields[name].required = False
                    shown = member_date_display(getattr(self.instance, name), True)
                    self.fields[
                        name
                    ].help_text = (
                        f"原记录只有年月：{shown}，如需补全请填写完整日期；不填则保留原记录。"
                    )

    def clean(self):
        cleaned = super().clean()
        for name in self.kept_month_only:
            if not cleaned.get(name) and name not in self.errors:
                cleaned.pop(name, None)
        return personal_form_unchanged(cleaned, self.masks)

    def _post_clean(self):
        # The service validates (same rules as the API and the import).
        pass

    def apply_service_errors(self, exc) -> None:
        apply_service_errors(self, exc)


class TransferForm(forms.Form):
    """转出: the receiving organization is searched by name across the county (name and
    township only of one outside the user's scope). The field keeps its name `to_org_code`
    for the pages built on it; its value is the chosen organization's id."""

    transfer_date = forms.DateField(
        label="转接日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label="转接原因", max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "to_org_code": OrgPickerField(
                user=user,
                label="转入党组织",
                mode=PickerMode.COUNTY,
                org_types=MEMBER_ORG_TYPES,
                help_text="输入名称或拼音首字母查找本县的党支部（党总支），由对方接收后生效。",
            ),
            **self.fields,
        }


class DecisionForm(forms.Form):
    note = forms.CharField(label="办理意见", max_length=200, required=False)


class MobileForm(forms.Form):
    destination = forms.CharField(label="外出地点及单位", max_length=200)
    left_on = forms.DateField(label="外出日期", widget=forms.DateInput(attrs={"type": "date"}))
    destination_org_code = forms.CharField(
        label="流入地党组织代码（如有）", max_length=32, required=False
    )
    contact = forms.CharField(label="外出期间联系方式", max_length=50, required=False)


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=())
    opened_on = forms.DateField(label="发现日期", widget=forms.DateInput(attrs={"type": "date"}))
    situation = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 2}))
    handler = forms.CharField(label="责任人", max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = CaseKind.choices


class CloseCaseForm(forms.Form):
    resolution = forms.CharField(label="处理结果", widget=forms.Textarea(attrs={"rows": 2}))
    closed_on = forms.DateField(label="办结日期", widget=forms.DateInput(attrs={"type": "date"}))


class ReturnForm(forms.Form):
    returned_on = forms.DateField(label="返回日期", widget=forms.DateInput(attrs={"type": "date"}))
