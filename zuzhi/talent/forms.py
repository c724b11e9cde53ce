"""Forms of the talent pages: they collect input; the rules are the services'."""

from django import forms

from .models import CareKind, Degree, PlatformKind, PlatformRole, TalentStatus, TitleLevel


class TalentFilterForm(forms.Form):
    q = forms.CharField(label="姓名、拼音首字母、身份证号或单位", max_length=100, required=False)
    title = forms.TypedChoiceField(label="人才称号", coerce=int, required=False, empty_value=None)
    level = forms.ChoiceField(
        label="层级", choices=[("", "全部")] + TitleLevel.choices, required=False
    )
    degree = forms.ChoiceField(
        label="学历学位", choices=[("", "全部")] + Degree.choices, required=False
    )
    industry = forms.ChoiceField(label="产业", required=False)
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部")] + TalentStatus.choices, required=False
    )
    high_level = forms.BooleanField(label="只看高层次人才", required=False)

    def __init__(self, *args, titles=(), industries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].choices = [("", "全部")] + [(t.pk, t.name) for t in titles]
        self.fields["industry"].choices = [("", "全部")] + [(i, i) for i in industries]


class TalentForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=32)
    id_number = forms.CharField(label="公民身份号码", max_length=30)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    degree = forms.ChoiceField(
        label="最高学历学位", choices=[("", "—")] + Degree.choices, required=False
    )
    school = forms.CharField(label="毕业院校", max_length=64, required=False)
    major = forms.CharField(label="所学专业", max_length=64, required=False)
    field = forms.CharField(label="专业领域", max_length=64, required=False)
    employer = forms.CharField(label="工作单位", max_length=128, required=False)
    industry = forms.CharField(label="所属产业", max_length=64, required=False)
    position = forms.CharField(label="职务/职称", max_length=64, required=False)
    title = forms.TypedChoiceField(label="人才称号", coerce=int, required=False, empty_value=None)
    arrived_on = forms.DateField(
        label="来县工作时间", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    honours = forms.CharField(label="荣誉", max_length=2000, required=False, widget=forms.Textarea)
    note = forms.CharField(label="备注", max_length=2000, required=False, widget=forms.Textarea)

    def __init__(self, *args, titles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].choices = [("", "—")] + [(t.pk, str(t)) for t in titles]


class LeaveForm(forms.Form):
    left_on = forms.DateField(label="离开时间", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", max_length=200, required=False)


class TitleForm(forms.Form):
    name = forms.CharField(label="称号", max_length=64)
    level = forms.ChoiceField(label="层级", choices=TitleLevel.choices)
    high_level = forms.BooleanField(label="属于高层次人才", required=False, initial=True)
    order = forms.IntegerField(label="排序", min_value=0, initial=0)
    active = forms.BooleanField(label="在用", required=False, initial=True)


class PlatformForm(forms.Form):
    name = forms.CharField(label="平台名称", max_length=128)
    kind = forms.ChoiceField(label="类型", choices=PlatformKind.choices)
    level = forms.ChoiceField(
        label="层级", choices=[("", "—")] + TitleLevel.choices, required=False
    )
    host = forms.CharField(label="依托单位", max_length=128)
    established_on = forms.DateField(
        label="设立时间", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label="备注", max_length=2000, required=False, widget=forms.Textarea)


class PlatformPersonForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=PlatformRole.choices)
    talent = forms.TypedChoiceField(label="库内人才", coerce=int, required=False, empty_value=None)
    name = forms.CharField(label="或：库外顾问姓名", max_length=32, required=False)
    affiliation = forms.CharField(label="库外顾问所在单位", max_length=128, required=False)

    def __init__(self, *args, talents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["talent"].choices = [("", "—")] + [
            (t.pk, f"{t.name}（{t.employer}）") for t in talents
        ]


class CareEventForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=CareKind.choices)
    title = forms.CharField(label="活动名称", max_length=128)
    held_on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="地点", max_length=128, required=False)
    hosts = forms.CharField(label="参加领导/走访人", max_length=128, required=False)
    talents = forms.TypedMultipleChoiceField(
        label="参加人才",
        coerce=int,
        help_text="电脑上按住 Ctrl 可选多人；手机上点选即可。",
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )
    note = forms.CharField(label="情况", max_length=2000, required=False, widget=forms.Textarea)

    def __init__(self, *args, talents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["talents"].choices = [(t.pk, f"{t.name}（{t.employer}）") for t in talents]
