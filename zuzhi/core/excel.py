"""Reading and writing Excel files for imports (Excel 导入): checks, columns, templates.

Files are read with python-calamine; every problem becomes a Chinese message, never a 500.
"""

import datetime
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook

# Uncompressed size a workbook may unpack to: guards against zip bombs.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
FORMULA_RX = re.compile(rb"<(?:\w+:)?f[ >/]")
# Excel day numbers (1900 date system) read as dates: 1910-01-01 … 2099-12-31 only, so that a
# bare year such as 2021 is an error rather than a day in 1905.
EXCEL_EPOCH = datetime.date(1899, 12, 30)
SERIAL_MIN = (datetime.date(1910, 1, 1) - EXCEL_EPOCH).days
SERIAL_MAX = (datetime.date(2099, 12, 31) - EXCEL_EPOCH).days
# Old .xls files and password-protected .xlsx files are both OLE compound documents.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BOMB_MESSAGE = "文件解压后过大，疑似损坏或恶意文件，已拒绝。"
# Control characters (NUL above all, which PostgreSQL refuses in text) arrive from cells
# written as _x0000_; tab and line breaks are ordinary in addresses and names.
CONTROL_RX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MEMO_SIZE = 1000


class ExcelFileError(Exception):
    """The file as a whole cannot be imported; the message says why, in Chinese."""


class CellError(ValueError):
    """A cell value that cannot be read; the message says why, in Chinese."""


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    parse: Callable[[Any], Any] = field(default=lambda v: v)
    help: str = ""


@dataclass
class Row:
    number: int  # the row number as Excel shows it (the header is row 1)
    values: dict[str, Any]  # every column's field; None where the cell is empty or unreadable
    errors: dict[str, str]


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _check_package(content: bytes) -> None:
    limit = settings.ZUZHI_MAX_UPLOAD_BYTES
    if len(content) > limit:
        raise ExcelFileError(
            f"文件过大（{len(content) / 1024 / 1024:.1f} MB），上限为 {limit // 1024 // 1024} MB，请分批导入。"
        )
    if not content:
        raise ExcelFileError("文件是空的。")
    if content.startswith(OLE_MAGIC):
        raise ExcelFileError(
            "这是旧版 .xls 文件或设置了打开密码的文件。请在 Excel 中另存为 .xlsx（并取消密码）后再上传。"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = archive.namelist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ExcelFileError(
            "文件不是有效的 Excel（.xlsx）文件。旧版 .xls 请先在 Excel 中另存为 .xlsx。"
        ) from exc
    if "xl/workbook.xml" not in names:
        raise ExcelFileError("文件不是有效的 Excel（.xlsx）文件。")
    if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
        raise ExcelFileError(BOMB_MESSAGE)
    # Every part is unpacked once here. zipfile never yields more than a part's declared size
    # and checks its CRC, so a part whose declared size lies is refused here as damaged; calamine
    # (which would unpack it unbounded) then only reads parts whose sizes are known to be true.
    try:
        for info in archive.infolist():
            is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            with archive.open(info) as part:
                tail = b""
                while chunk := part.read(1 << 20):
                    if is_sheet and FORMULA_RX.search(tail + chunk):
                        raise ExcelFileError(
                            "文件中含有公式。请把公式单元格复制后“选择性粘贴为数值”，再上传。"
                        )
                    tail = chunk[-16:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise ExcelFileError(
            "Excel 文件已损坏，无法读取。请在 Excel 中打开后重新保存再上传。"
        ) from exc
    except RuntimeError as exc:  # zipfile's "File is encrypted, password required"
        raise ExcelFileError("Excel 文件受密码保护，请取消密码后再上传。") from exc


def _is_empty(raw: list) -> bool:
    """Every cell blank; count() runs in C, which matters at 100,000 rows."""
    return raw.count("") + raw.count(None) == len(raw)


def _read_cell(col: Column, cell: Any) -> tuple[Any, str | None]:
    """(value, None), or (None, why the cell cannot be read)."""
    if isinstance(cell, str):
        cell = cell.strip()
        if CONTROL_RX.search(cell):
            return None, "含有不可见的控制字符，请删除后重新输入。"
    if cell in ("", None):
        return None, "必填，不能为空。" if col.required else None
    try:
        return col.parse(cell), None
    except CellError as exc:
        return None, str(exc)


def _first_sheet(content: bytes) -> tuple[list[list[Any]], list]:
    """The first sheet's cells from A1, and its merged ranges. The workbook is let go on
    return: at 100,000 rows its own copy of the cells weighs some 100 MB."""
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or []
    except CalamineError as exc:
        raise ExcelFileError("无法读取该 Excel 文件，文件可能已损坏。") from exc
    except Exception as exc:  # calamine raises several unrelated types for broken files
        raise ExcelFileError("无法读取该 Excel 文件，文件可能已损坏或受密码保护。") from exc


def read_rows(content: bytes, *, columns: list[Column]) -> list[Row]:
    """The data rows of the first sheet, each cell parsed by its column; file-level problems
    raise ExcelFileError, cell problems are kept per row for the preview."""
    _check_package(content)
    rows, merged = _first_sheet(content)
    if any(start[0] == 0 or end[0] == 0 for start, end in merged):
        raise ExcelFileError("表头（第 1 行）有合并单元格，请取消合并，每列一个表头。")
    while rows and _is_empty(rows[-1]):
        rows.pop()
    if not rows:
        raise ExcelFileError("文件中没有内容。请使用下载的模板填写。")
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    if not any(headers):
        raise ExcelFileError("第 1 行是空的。第 1 行应为表头，请使用下载的模板。")
    known = {c.header for c in columns}
    missing = [c.header for c in columns if c.required and c.header not in headers]
    unknown = [h for h in headers if h and h not in known]
    duplicated = sorted({h for h in headers if h and headers.count(h) > 1})
    problems = []
    if missing:
        problems.append("缺少必填列：" + "、".join(missing))
    if unknown:
        problems.append("无法识别的列：" + "、".join(unknown))
    if duplicated:
        problems.append("重复的列：" + "、".join(duplicated))
    if problems:
        raise ExcelFileError("表头与模板不符。" + "；".join(problems) + "。请使用下载的模板。")
    index = {h: i for i, h in enumerate(headers) if h}
    # Each column's place in the row, looked up once rather than per cell. Most columns
    # repeat a handful of texts (民族, 党员状态, 所在党组织代码…), so each also remembers what
    # its first MEMO_SIZE distinct texts read as.
    located = [(col, index.get(col.header), {}) for col in columns]
    result = []
    for number in range(2, len(rows) + 1):
        # Each sheet row is let go once read, so that the sheet as lists and the rows read
        # from it are never both held in full (some 50 MB each at 100,000 rows).
        raw, rows[number - 1] = rows[number - 1], None
        if _is_empty(raw):
            continue
        values, errors = {}, {}
        width = len(raw)
        for col, i, memo in located:
            cell = raw[i] if i is not None and i < width else None
            if isinstance(cell, str):
                read = memo.get(cell)
                if read is None:
                    read = _read_cell(col, cell)
                    if len(memo) < MEMO_SIZE:
                        memo[cell] = read
            else:
                read = _read_cell(col, cell)
            values[col.field], error = read
            if error:
                errors[col.header] = error
        result.append(Row(number=number, values=values, errors=errors))
    if not result:
        raise ExcelFileError("文件中只有表头，没有数据行。")
    return result


def parse_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        raise CellError("应为文字，不是日期。")
    return str(value).strip()


def parse_date(value: Any) -> datetime.date:
    """Dates as Excel dates, or text like 2021-05-01, 2021/5/1, 2021.5.1, 20210501, 2021年5月1日."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise CellError("应为日期，请写成 2021-05-01 的形式。")
    if isinstance(value, int | float) and SERIAL_MIN <= value <= SERIAL_MAX:
        # A date pasted "as values" loses its date format and shows as Excel's day number.
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    text = parse_text(value)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if not match:
        raise CellError(f"“{text}”不是有效日期，请写成 2021-05-01 的形式。")
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise CellError(f"“{text}”不是存在的日期。") from exc


def choice_parser(choices) -> Callable[[Any], str]:
    """Accepts a choice's Chinese label (or its code) and returns the code."""
    by_label = {str(label): value for value, label in choices}
    by_value = {str(value): value for value, _ in choices}

    def parse(value: Any) -> str:
        text = parse_text(value)
        if text in by_label:
            return by_label[text]
        if text in by_value:
            return by_value[text]
        raise CellError(f"“{text}”不是可选值。可选：" + "、".join(by_label))

    return parse


def template_bytes(*, columns: list[Column], sheet_name: str, notes: list[str]) -> bytes:
    """An empty import template: Chinese headers on sheet 1, instructions on sheet 2."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(sheet_name[:31])
    required = book.add_format({"bold": True, "bg_color": "#FDE9E7", "border": 1})
    optional = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    text = book.add_format({"num_format": "@"})
    for i, col in enumerate(columns):
        sheet.write_string(0, i, col.header, required if col.required else optional)
        sheet.set_column(i, i, max(12, len(col.header) * 2 + 4), text)
        if col.help:
            sheet.write_comment(0, i, col.help)
    sheet.freeze_panes(1, 0)
    guide = book.add_worksheet("填写说明")
    guide.set_column(0, 0, 100)
    for r, line in enumerate(
        [
            "填写说明（本页不会被导入）",
            "1. 只导入第一个工作表；第 1 行为表头，请勿修改、合并或删除表头。",
            "2. 红色表头为必填列。请勿使用公式，日期写成 2021-05-01。",
            *notes,
        ]
    ):
        guide.write_string(r, 0, line)
    book.close()
    return buffer.getvalue()
