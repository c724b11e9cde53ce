"""Forms of the county joint review: they collect input; the services decide."""

import re

from django import forms

from zuzhi.core.excel import CellError, Column, ExcelFileError, Noted, read_sheet
from zuzhi.core.parsers import parse_id_number, parse_person_name, parse_text
from zuzhi.core.uploads import upload_error

from .models import RoundKind

LINE_SPLIT = re.compile(r"[\s,，、;；]+")


class RoundOpenForm(forms.Form):
    kind = forms.ChoiceField(label="联审类别", choices=RoundKind.choices)
    title = forms.CharField(label="批次名称", max_length=128)
    deadline = forms.DateField(label="反馈截止日期", widget=forms.DateInput(attrs={"type": "date"}))
    items = forms.CharField(
        label="联审名单",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="每行一人：姓名 公民身份号码 村（空格、逗号或制表符分隔，可从 Excel 复制粘贴三列）。",
    )
    upload = forms.FileField(
        label="或上传 Excel 名单",
        required=False,
        help_text="表头含“姓名”“公民身份号码”“村（社区）”三列；表头上方的标题、下方的合计和签字行不影响读取。",
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is not None:
            cleaned["items"] = _sheet_rows(upload)
        elif not cleaned.get("items") and "items" not in self.errors:
            raise forms.ValidationError("请粘贴联审名单或上传 Excel 名单。")
        return cleaned

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


SHEET_COLUMNS = [
    Column("姓名", "name", required=True, parse=parse_person_name),
    Column("公民身份号码", "id_number", required=True, parse=parse_id_number),
    Column("村（社区）", "village", required=True, parse=parse_text),
]


def _plain(value) -> str:
    return value.value if isinstance(value, Noted) else value


def _sheet_rows(upload) -> list[tuple[str, str, str]]:
    """The names of an uploaded list, or every unreadable cell named by row and column."""
    refused = upload_error(upload, types=("xlsx", "xls", "ods"))
    if refused:
        raise forms.ValidationError(refused)
    try:
        sheet = read_sheet(upload.read(), columns=SHEET_COLUMNS, filename=upload.name)
    except (ExcelFileError, CellError) as exc:
        raise forms.ValidationError(str(exc)) from exc
    errors = [
        f"第 {row.number} 行“{header}”：{message}"
        for row in sheet.rows
        for header, message in row.errors.items()
    ]
    if errors:
        raise forms.ValidationError(errors)
    rows = [
        tuple(_plain(row.values.get(f)) or "" for f in ("name", "id_number", "village"))
        for row in sheet.rows
    ]
    if not rows:
        raise forms.ValidationError("上传的表格中没有名单。")
    return rows


class RejectForm(forms.Form):
    reason = forms.CharField(label="不通过理由", widget=forms.Textarea(attrs={"rows": 2}))
