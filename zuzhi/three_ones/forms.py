"""Forms of the three-ones pages: they collect input; the rules are the services'."""

from django import forms

from .models import Aspect, ContactKind, ProblemStatus


def type_choices(types) -> list:
    """Problem types grouped by aspect (<optgroup>): the aspect→type choice in one select."""
    groups: dict[str, list] = {}
    for t in types:
        groups.setdefault(t.get_aspect_display(), []).append((t.pk, t.name))
    return [("", "—— 选择问题类型 ——"), *groups.items()]


# An <input type="date"> takes ISO dates only, whatever the locale's display format.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=ContactKind.choices, widget=forms.RadioSelect)
    date = forms.DateField(label="日期", widget=DATE)
    cadres = forms.TypedMultipleChoiceField(
        label="对象", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(
        label="了解到的情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadres"].choices = [(c.pk, c.name) for c in members]


class ProblemRowForm(forms.Form):
    cadre = forms.TypedChoiceField(
        label="干部", coerce=int, widget=forms.Select(attrs={"aria-label": "干部"})
    )
    problem_type = forms.TypedChoiceField(
        label="问题类型", coerce=int, widget=forms.Select(attrs={"aria-label": "问题类型"})
    )
    description = forms.CharField(
        label="具体表现",
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "具体表现", "aria-label": "具体表现"}),
    )

    def __init__(self, *args, members=(), types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].choices = [("", "—— 干部 ——"), *((c.pk, c.name) for c in members)]
        self.fields["problem_type"].choices = type_choices(types)


ProblemRowFormSet = forms.formset_factory(ProblemRowForm, extra=3, max_num=30)


class ContactFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="类别", choices=[("", "全部"), *ContactKind.choices], required=False
    )
    since = forms.DateField(label="起", required=False, widget=DATE)
    until = forms.DateField(label="止", required=False, widget=DATE)


class ProblemFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部"), *ProblemStatus.choices], required=False
    )
    aspect = forms.ChoiceField(
        label="方面", choices=[("", "全部"), *Aspect.choices], required=False
    )


class RectifyForm(forms.Form):
    rectified_on = forms.DateField(label="整改日期", widget=DATE)
    note = forms.CharField(label="整改情况", max_length=2000)


class ProblemTypeForm(forms.Form):
    aspect = forms.ChoiceField(label="方面", choices=Aspect.choices)
    name = forms.CharField(label="问题类型", max_length=64)
    sort_order = forms.IntegerField(label="排序", min_value=0, max_value=10_000, initial=0)


class ProblemTypeEditForm(forms.Form):
    name = forms.CharField(label="问题类型", max_length=64)
    sort_order = forms.IntegerField(label="排序", min_value=0, max_value=10_000)
    is_active = forms.BooleanField(label="启用", required=False)
