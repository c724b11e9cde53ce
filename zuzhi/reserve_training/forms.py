"""Forms of reserve training: they collect input; the rules are the services'."""

from django import forms
from django.utils import timezone

from zuzhi.training.models import Course

from .models import MentoringActivity

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MentorForm(forms.Form):
    """Choose a reserve's mentor from those selectors.mentor_choices offers."""

    mentor = forms.ChoiceField(label="导师")
    started_on = forms.DateField(label="结对日期", widget=DATE)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [("", "请选择")] + [(c.key, c.label) for c in choices]
        self.fields["started_on"].initial = timezone.localdate()


class MentorshipEndForm(forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DATE)
    reason = forms.CharField(label="结束原因", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()


class MentoringDayForm(forms.Form):
    """The one-minute form of a mentoring day: today, a type, one line."""

    date = forms.DateField(label="帮带日期", widget=DATE)
    activity = forms.ChoiceField(label="帮带形式", choices=MentoringActivity.choices)
    content = forms.CharField(
        label="帮带内容（一句话）",
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": "如：一起走访了3户低保户", "autocomplete": "off"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The server's local date (Asia/Shanghai), not the phone's.
        self.fields["date"].initial = timezone.localdate()


class RecordForm(forms.Form):
    course = forms.ModelChoiceField(label="课程", queryset=Course.objects.none())
    completed_on = forms.DateField(label="完成日期", widget=DATE)
    test_passed = forms.BooleanField(label="考试通过", required=False)

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        self.fields["completed_on"].initial = timezone.localdate()


class PlanForm(forms.Form):
    organization = forms.ModelChoiceField(label="制定单位", queryset=None)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="计划名称（可不填）", max_length=128, required=False)
    hours_required = forms.DecimalField(
        label="应修学时", min_value=0, max_value=1000, decimal_places=2
    )
    courses = forms.ModelMultipleChoiceField(
        label="计划课程", queryset=Course.objects.none(), required=False
    )
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args, units, courses, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = units
        self.fields["courses"].queryset = courses
        self.fields["year"].initial = timezone.localdate().year
        if editing:
            # A plan's unit and year are its identity: they are not changed afterwards.
            for name in ("organization", "year"):
                self.fields[name].disabled = True
