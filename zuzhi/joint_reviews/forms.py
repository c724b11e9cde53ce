"""Forms of the county joint review: they collect input; the services decide."""

import re

from django import forms

from .models import RoundKind

LINE_SPLIT = re.compile(r"[\s,，、;；]+")


class RoundOpenForm(forms.Form):
    kind = forms.ChoiceField(label="联审类别", choices=RoundKind.choices)
    title = forms.CharField(label="批次名称", max_length=128)
    deadline = forms.DateField(label="反馈截止日期", widget=forms.DateInput(attrs={"type": "date"}))
    items = forms.CharField(
        label="联审名单",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="每行一人：姓名 公民身份号码 村（空格、逗号或制表符分隔，可从 Excel 复制粘贴三列）。",
    )

    def clean_items(self) -> list[tuple[str, str, str]]:
        rows, errors = [], []
        for n, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = LINE_SPLIT.split(line.strip())
            if len(parts) != 3:
                errors.append(f"第 {n} 行应为“姓名 公民身份号码 村”三项。")
                continue
            rows.append(tuple(parts))
        if errors:
            raise forms.ValidationError(errors)
        return rows


class RejectForm(forms.Form):
    reason = forms.CharField(label="不通过理由", widget=forms.Textarea(attrs={"rows": 2}))
