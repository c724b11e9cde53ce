"""Forms of the training pages: they collect input; the services decide."""

from django import forms

from .models import Course, CourseMode, Group


class CourseForm(forms.Form):
    title = forms.CharField(label="课程名称", max_length=200)
    mode = forms.ChoiceField(label="形式", choices=CourseMode.choices)
    minutes = forms.IntegerField(label="时长（分钟）", min_value=1, max_value=1440)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    provider = forms.CharField(label="主办单位或平台", max_length=128, required=False)
    has_test = forms.BooleanField(label="有考试", required=False)


class RecordForm(forms.Form):
    group = forms.ChoiceField(label="对象", choices=Group.choices)
    id_number = forms.CharField(label="公民身份号码", max_length=20)
    course = forms.ModelChoiceField(label="课程", queryset=Course.objects.all())
    completed_on = forms.DateField(label="完成日期", widget=forms.DateInput(attrs={"type": "date"}))
    test_passed = forms.BooleanField(label="考试通过", required=False)


class RequirementForm(forms.Form):
    group = forms.ChoiceField(label="对象", choices=Group.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    hours = forms.DecimalField(label="应修学时", min_value=0, max_value=1000, decimal_places=2)
    courses = forms.IntegerField(label="应参加课程数", min_value=0, max_value=1000, initial=0)
