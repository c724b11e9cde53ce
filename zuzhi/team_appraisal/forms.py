"""The opening form: it collects input only; the service checks the weights and the team."""

from django import forms
from django.utils import timezone

from .services import MAX_CODES_PER_GROUP, GroupInput

GROUP_ROWS = 5
# A common split (班子成员 30 %, 中层干部 40 %, 服务对象和群众代表 30 %): a default to change.
DEFAULT_GROUPS = [("班子成员", 30, 10), ("中层干部", 40, 20), ("服务对象和群众代表", 30, 20)]


class AppraisalOpenForm(forms.Form):
    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["team"] = forms.ModelChoiceField(
            label="领导班子", queryset=teams, empty_label="请选择"
        )
        self.fields["year"] = forms.IntegerField(
            label="年度", min_value=1900, max_value=2100, initial=today.year
        )
        self.fields["opened_on"] = forms.DateField(
            label="测评日期",
            initial=today,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        for i in range(GROUP_ROWS):
            name, weight, codes = DEFAULT_GROUPS[i] if i < len(DEFAULT_GROUPS) else ("", None, None)
            self.fields[f"group_name_{i}"] = forms.CharField(
                label="测评主体",
                max_length=40,
                required=False,
                initial=name,
                widget=forms.TextInput(attrs={"aria-label": f"第 {i + 1} 个测评主体名称"}),
            )
            self.fields[f"group_weight_{i}"] = forms.DecimalField(
                label="权重（%）",
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=weight,
                widget=forms.NumberInput(attrs={"aria-label": f"第 {i + 1} 个测评主体权重（%）"}),
            )
            self.fields[f"group_codes_{i}"] = forms.IntegerField(
                label="选票码数量",
                required=False,
                min_value=1,
                max_value=MAX_CODES_PER_GROUP,
                initial=codes,
                widget=forms.NumberInput(attrs={"aria-label": f"第 {i + 1} 个测评主体选票码数量"}),
            )

    def group_rows(self):
        """The bound fields of each group row, for the template."""
        return [
            (self[f"group_name_{i}"], self[f"group_weight_{i}"], self[f"group_codes_{i}"])
            for i in range(GROUP_ROWS)
        ]

    def groups(self) -> list[GroupInput]:
        """The filled rows; a row with a name but no weight or codes is refused here."""
        rows = []
        for i in range(GROUP_ROWS):
            name = self.cleaned_data.get(f"group_name_{i}", "").strip()
            weight = self.cleaned_data.get(f"group_weight_{i}")
            codes = self.cleaned_data.get(f"group_codes_{i}")
            if not name and weight is None and codes is None:
                continue
            if not name or weight is None or codes is None:
                raise forms.ValidationError(f"第 {i + 1} 行测评主体请填写名称、权重和选票码数量。")
            rows.append(GroupInput(name=name, weight=weight, codes=codes))
        return rows
