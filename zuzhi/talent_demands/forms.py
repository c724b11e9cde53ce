"""Forms of the catalogue pages: they collect input; the rules are the services'."""

from django import forms

from zuzhi.talent.models import Degree


class EditionForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(
        label="标题", max_length=100, required=False, help_text="不填则为“某年度高层次人才需求目录”"
    )
    intro = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CopyForm(forms.Form):
    year = forms.IntegerField(label="新目录年度", min_value=2000, max_value=2100)


class UnpublishForm(forms.Form):
    reason = forms.CharField(label="撤回原因", max_length=500)


class EntryForm(forms.Form):
    industry = forms.CharField(label="所属产业", max_length=64)
    employer = forms.CharField(label="用人单位", max_length=128)
    post = forms.CharField(label="需求岗位", max_length=64)
    number = forms.IntegerField(label="需求人数", min_value=1, max_value=9999)
    degree = forms.ChoiceField(
        label="学历要求", choices=[("", "不限")] + list(Degree.choices), required=False
    )
    major = forms.CharField(label="专业要求", max_length=128, required=False)
    experience = forms.CharField(label="经验要求", max_length=128, required=False)
    requirements = forms.CharField(
        label="其他要求", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    salary = forms.CharField(label="薪酬待遇", max_length=64, required=False)
    housing = forms.CharField(label="住房保障", max_length=128, required=False)
    subsidies = forms.CharField(label="补贴政策", max_length=200, required=False)
    contact = forms.CharField(
        label="联系方式",
        max_length=64,
        required=False,
        help_text="单位办公电话（座机）或电子邮箱，会公开，不填个人手机",
    )
    note = forms.CharField(
        label="内部备注",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="不公开",
    )
    order = forms.IntegerField(label="排序", min_value=0, required=False)

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["order"] = data.get("order") or 0
        return data
