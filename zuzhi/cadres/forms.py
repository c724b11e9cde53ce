from django import forms
from PIL import Image

from zuzhi.core.codes import code_map
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.personal import personal_form_masked, personal_form_unchanged
from zuzhi.core.uploads import IMAGE_TYPES, upload_error
from zuzhi.orgs.picker import OrgPickerField
from zuzhi.orgs.selectors import PickerMode

from .models import AssessmentResult, Cadre, LeadershipLevel, RewardPunishment
from .services import EDITABLE_FIELDS, YM_FIELDS
from .yearmonth import ym_display

YM_HELP = "写成 1978.05 的样子。"
# A county's zip of several hundred forms with photos; larger batches are split.
MAX_LRMX_UPLOAD = 200 * 1024 * 1024


class CadreForm(forms.ModelForm):
    """Collects input only; the rules live in zuzhi.cadres.services. Year-month fields are
    typed as 1978.05 and shown so."""

    ethnicity = forms.ChoiceField(label="民族", choices=())
    leadership_level = forms.ChoiceField(label="领导职务层次", required=False, choices=())
    photo_file = forms.FileField(
        label="照片", required=False, help_text="jpg 或 png，将印在任免审批表上。"
    )

    class Meta:
        model = Cadre
        fields = list(EDITABLE_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("rewards_and_punishments", "annual_assessments", "appointment_reason")
        } | {"phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})}
        help_texts = {
            "specialties": "用顿号分隔，如：熟悉经济、懂法律。班子结构按此统计。",
            "party_joined_note": "民主党派成员填写党派名称。",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields = {
                "organization": OrgPickerField(
                    user=user, label="所在单位党组织", mode=PickerMode.CADRES
                ),
                **self.fields,
            }
        self.fields["ethnicity"].choices = list(code_map("GB3304").items())
        self.fields["leadership_level"].choices = [("", "—"), *LeadershipLevel.choices]
        for name in YM_FIELDS:
            self.fields[name] = forms.CharField(
                label=self.fields[name].label, required=False, max_length=16, help_text=YM_HELP
            )
            if self.instance.pk:
                self.initial[name] = ym_display(getattr(self.instance, name))
        self.masks = personal_form_masked(self) if self.instance.pk else {}

    def clean_photo_file(self):
        upload = self.cleaned_data.get("photo_file")
        if upload:
            error = upload_error(upload, types=IMAGE_TYPES)
            if error:
                raise forms.ValidationError(error)
            try:
                with Image.open(upload) as image:
                    image.verify()
            except (OSError, SyntaxError, ValueError) as exc:
                raise forms.ValidationError(f"“{upload.name}”不是可以识别的照片。") from exc
            upload.seek(0)
        return upload

    def clean(self):
        return personal_form_unchanged(super().clean(), self.masks)

    def _post_clean(self):
        # The service validates (same rules as the API and the import).
        pass

    def apply_service_errors(self, exc) -> None:
        apply_service_errors(self, exc)


class CareerRowForm(forms.Form):
    start = forms.CharField(label="起始年月", max_length=16, required=False)
    end = forms.CharField(label="截止年月", max_length=16, required=False)
    unit = forms.CharField(label="单位", max_length=200, required=False)
    post = forms.CharField(label="职务", max_length=255, required=False)
    note = forms.CharField(
        label="说明（其间…）", required=False, widget=forms.Textarea(attrs={"rows": 1})
    )


class FamilyRowForm(forms.Form):
    relation = forms.CharField(label="称谓", max_length=16, required=False)
    name = forms.CharField(label="姓名", max_length=32, required=False)
    birth = forms.CharField(label="出生年月", max_length=16, required=False)
    political_status = forms.CharField(label="政治面貌", max_length=32, required=False)
    work_and_post = forms.CharField(label="工作单位及职务", max_length=255, required=False)


CareerFormSet = forms.formset_factory(CareerRowForm, extra=2, max_num=60)
FamilyFormSet = forms.formset_factory(FamilyRowForm, extra=2, max_num=30)


class AssessmentForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=1980, max_value=2100)
    result = forms.ChoiceField(label="考核结果", choices=AssessmentResult.choices)


class RewardForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=RewardPunishment.Kind.choices)
    date = forms.CharField(label="时间", max_length=16, help_text=YM_HELP)
    description = forms.CharField(label="内容", max_length=255)
    authority = forms.CharField(label="批准机关", max_length=128, required=False)


class LrmxUploadForm(forms.Form):
    file = forms.FileField(
        label="任免审批表文件", help_text="一个 .lrmx 文件，或多个 .lrmx 打包的 .zip。"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "organization": OrgPickerField(
                user=user,
                label="新增干部所在单位",
                mode=PickerMode.CADRES,
                help_text="文件中尚未登记的干部登记到这个单位；已登记的按公民身份号码更新，单位不变。",
            ),
            **self.fields,
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".lrmx", ".zip")):
            raise forms.ValidationError(f"“{upload.name}”不是 .lrmx 或 .zip 文件。")
        if upload.size > MAX_LRMX_UPLOAD:
            raise forms.ValidationError(
                f"文件超过 {MAX_LRMX_UPLOAD // 1024 // 1024} MB，请分成几个压缩包导入。"
            )
        return upload
