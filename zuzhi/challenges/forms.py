"""Forms of the challenge pages: they collect input; the rules are the services'."""

from django import forms

from zuzhi.core.money import YuanField


class DateInput(forms.DateInput):
    input_type = "date"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, as a list (the file checks are the services')."""

    def __init__(self, **kwargs):
        super().__init__(widget=MultipleFileInput, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ChallengeForm(forms.Form):
    title = forms.CharField(label="榜单名称", max_length=100)
    owner_company = forms.CharField(label="发榜单位", max_length=128)
    industry = forms.CharField(label="所属产业", max_length=64, required=False)
    problem = forms.CharField(label="需求描述", widget=forms.Textarea(attrs={"rows": 5}))
    reward_fen = YuanField(label="奖励金额（元）", required=True)
    deadline = forms.DateField(label="揭榜截止日期", widget=DateInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApplicationForm(forms.Form):
    applicant = forms.CharField(label="揭榜方", max_length=128, help_text="个人姓名或团队名称")
    is_team = forms.BooleanField(label="团队揭榜", required=False)
    employer = forms.CharField(label="依托单位", max_length=128, required=False)
    contact_name = forms.CharField(label="联系人", max_length=32)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    proposal = forms.CharField(label="揭榜方案", widget=forms.Textarea(attrs={"rows": 5}))
    submitted_on = forms.DateField(label="申请日期", widget=DateInput)
    members = forms.CharField(
        label="团队成员",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一人：姓名、工作单位、分工（用顿号或逗号分隔，单位和分工可不填）",
    )
    files = MultipleFileField(label="方案附件", required=False)

    def team(self) -> list[dict]:
        rows = []
        for line in self.cleaned_data.get("members", "").splitlines():
            parts = [p.strip() for p in line.replace("，", "、").replace(",", "、").split("、")]
            if parts and parts[0]:
                parts += ["", ""]
                rows.append({"name": parts[0], "employer": parts[1], "duty": parts[2]})
        return rows


class ReviewerForm(forms.Form):
    name = forms.CharField(label="专家姓名", max_length=32)
    affiliation = forms.CharField(label="工作单位及职称", max_length=128, required=False)


class ScoreForm(forms.Form):
    reviewer = forms.TypedChoiceField(label="评审专家", coerce=int)
    score = forms.DecimalField(label="评分", min_value=0, max_value=100, decimal_places=2)
    comment = forms.CharField(label="评语", max_length=500, required=False)

    def __init__(self, *args, reviewers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [(r.pk, r.name) for r in reviewers]


class AwardForm(forms.Form):
    application = forms.TypedChoiceField(label="揭榜方", coerce=int)
    reason = forms.CharField(
        label="理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [(a.pk, a.applicant) for a in applications]


class MilestoneForm(forms.Form):
    title = forms.CharField(label="节点名称", max_length=100)
    due_on = forms.DateField(label="计划完成日期", widget=DateInput)


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label="完成日期", widget=DateInput)
    evidence = forms.CharField(label="完成情况及佐证", widget=forms.Textarea(attrs={"rows": 2}))
    evidence_file = forms.FileField(label="佐证材料", required=False)


class PaymentForm(forms.Form):
    milestone = forms.TypedChoiceField(label="对应节点", coerce=int)
    amount_fen = YuanField(label="拨付金额（元）", required=True)
    paid_on = forms.DateField(label="拨付日期", widget=DateInput)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].choices = [(m.pk, m.title) for m in milestones]
