"""Reading Excel files for imports (Excel 导入): which sheet, where the table is, each cell.

Real township sheets have a title above the table, a footer under it, extra columns, merged,
hidden and formula cells, percentages and IDs typed as numbers. Each is read as the clerk sees
it or refused with a Chinese message naming the cell; nothing is dropped or changed without a
notice in the preview. workbook.py opens the file; this module finds the table in it;
parsers.py reads each cell by its column.
"""

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .cells import PLACEHOLDERS
from .workbook import ExcelFileError, SheetGrid, Workbook, column_letter, open_workbook

__all__ = ["CellError", "ExcelFileError"]

# Control characters (NUL above all, which PostgreSQL refuses in text) arrive from cells
# written as _x0000_; tab and line breaks are ordinary in addresses and names.
CONTROL_RX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MEMO_SIZE = 1000
# The header row is looked for in the first rows (a title and a subtitle usually sit above it).
HEADER_SCAN_ROWS = 20
# Rows under (or between) the data that are not people: totals and signatures.
FOOTER_WORDS = (
    "合计",
    "总计",
    "小计",
    "共计",
    "填表人",
    "填报人",
    "制表人",
    "审核人",
    "审批人",
    "负责人",
    "单位负责人",
    "填表日期",
    "填报日期",
    "制表日期",
    "填表说明",
    "注：",
    "注:",
    "说明：",
    "说明:",
)
FOOTER_FIRST = frozenset(w[0] for w in FOOTER_WORDS)
# Rows without an unreadable cell share this empty mapping instead of one dict each.
NOTHING_SHOWN: Mapping[str, Any] = MappingProxyType({})
SHEET_NAME_MAX = 255  # ImportJob.sheet_name
LISTED = 20  # cells named one by one in a notice before "等 N 处"


class CellError(ValueError):
    """A cell value that cannot be read; the message says why, in Chinese."""


class SheetChoiceNeeded(ExcelFileError):
    """Several sheets match the template: the uploader picks one."""

    def __init__(self, message: str, choices: list[str], active: str | None):
        super().__init__(message)
        self.choices = choices
        self.active = active


@dataclass(frozen=True)
class Noted:
    """A cell read with a change the clerk must see in the preview (a 15-digit ID made 18
    digits, spaces taken out of a name): the value, and what was done."""

    value: Any
    note: str


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    parse: Callable[[Any], Any] = field(default=lambda v: v)
    help: str = ""
    # Names offered as a drop-down list in the template (code tables, choices).
    choices: Callable[[], list[str]] | None = None
    # Another header that may stand in for this required one (a branch by code or by name):
    # the sheet needs one of the two columns, and each row is checked by the importer.
    alternative: str = ""


@dataclass
class Row:
    number: int  # the row number as Excel shows it
    # The field of every column the sheet has; None where the cell is empty or unreadable.
    values: dict[str, Any]
    errors: dict[str, str]
    # The cell as it stood in the file, for the cells that could not be read.
    shown: Mapping[str, Any] = field(default_factory=lambda: NOTHING_SHOWN)


@dataclass
class SheetRead:
    """The table found in an upload: its rows, and what the preview must tell the clerk."""

    sheet: str
    header_row: int  # as Excel numbers it
    rows: list[Row]
    notices: list[dict[str, Any]]
    columns_at: dict[str, int]  # template header → 0-based column in the sheet


def _notice(
    notices: list, message: str, *, row: int | None = None, column: str = "", cell: bool = False
) -> None:
    notice = {"row": row, "column": column, "message": message}
    if cell:
        notice["cell"] = True  # about one cell's reading; may be shortened in a long preview
    notices.append(notice)


def _listing(items: list[str]) -> str:
    shown = "、".join(items[:LISTED])
    return shown + (f" 等 {len(items)} 处" if len(items) > LISTED else "")


def _row_ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 9] → 第 3–5、9 行"""
    parts, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(str(start) if start == n else f"{start}–{n}")
            start = None
    return "第 " + _listing(parts) + " 行"


def _is_empty(raw: list) -> bool:
    """Every cell blank; count() runs in C, which matters at 100,000 rows."""
    return raw.count("") + raw.count(None) == len(raw)


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _read_cell(col: Column, cell: Any) -> tuple[Any, str | None, str | None]:
    """(value, note, None), or (None, None, why the cell cannot be read)."""
    if isinstance(cell, str):
        cell = cell.strip()
        if CONTROL_RX.search(cell):
            return None, None, "含有不可见的控制字符，请删除后重新输入。"
        if cell in PLACEHOLDERS:
            if col.required and not col.alternative:
                return None, None, f"必填，不能为空（“{cell}”视为空白）。"
            return None, None, None
    if cell in ("", None):
        return None, None, "必填，不能为空。" if col.required and not col.alternative else None
    try:
        value = col.parse(cell)
    except CellError as exc:
        return None, None, str(exc)
    if isinstance(value, Noted):
        return value.value, value.note, None
    return value, None, None


@dataclass
class _Header:
    row: int  # 0-based
    at: dict[str, int]  # template header → column
    unknown: list[tuple[int, str]]
    duplicated: dict[str, list[int]]
    missing: list[str]


def _find_header(grid: SheetGrid, columns: list[Column], lookup: dict[str, str]) -> _Header | None:
    """The row among the first HEADER_SCAN_ROWS that names the most template columns."""
    from .headers import normalize_header

    best: _Header | None = None
    best_score = 0
    for r, raw in enumerate(grid.cells[:HEADER_SCAN_ROWS]):
        at: dict[str, int] = {}
        unknown, duplicated = [], {}
        for c, cell in enumerate(raw):
            text = _cell_text(cell)
            if not text:
                continue
            header = lookup.get(normalize_header(text, keep_hint=True)) or lookup.get(
                normalize_header(text)
            )
            if header is None:
                unknown.append((c, text))
            elif header in at:
                duplicated.setdefault(header, [at[header]]).append(c)
            else:
                at[header] = c
        if len(at) > best_score:
            best_score = len(at)
            missing = [
                col.header + (f"（或“{col.alternative}”）" if col.alternative else "")
                for col in columns
                if col.required
                and col.header not in at
                and not (col.alternative and col.alternative in at)
            ]
            best = _Header(r, at, unknown, duplicated, missing)
    return best


def _choose_sheet(
    book: Workbook, columns: list[Column], lookup: dict[str, str], sheet: str | None
) -> tuple[SheetGrid, _Header, list[str]]:
    visible = [s.name for s in book.sheets if s.visible]
    if sheet is not None:
        if sheet not in visible:
            raise ExcelFileError(f"文件中没有名为“{sheet}”的工作表。")
        names = [sheet]
    else:
        names = visible
    if not names:
        raise ExcelFileError("文件中没有可见的工作表。")
    matches: list[tuple[SheetGrid, _Header]] = []
    best: tuple[str, _Header] | None = None
    for name in names:
        grid = book.grid(name)
        header = _find_header(grid, columns, lookup)
        if header is None:
            continue
        if not header.missing:
            matches.append((grid, header))
        elif best is None or len(header.at) > len(best[1].at) or name == book.active:
            best = (name, header)
    if len(matches) > 1:
        choices = [grid.name for grid, _ in matches]
        active = book.active if book.active in choices else None
        raise SheetChoiceNeeded(
            f"文件中有 {len(choices)} 个工作表都符合模板："
            + "、".join(f"“{c}”" for c in choices)
            + (f"（保存文件时打开的是“{active}”）" if active else "")
            + "。请选择要导入的工作表。",
            choices,
            active,
        )
    if not matches:
        if best is None:
            raise ExcelFileError(
                "没有找到表头。表格前 20 行中应有一行列名，如“"
                + "”“".join(c.header for c in columns[:3])
                + "”。请使用下载的模板。"
            )
        name, header = best
        where = (
            f"工作表“{name}”第 {header.row + 1} 行" if len(names) > 1 else f"第 {header.row + 1} 行"
        )
        raise ExcelFileError(
            f"表头与模板不符（{where}）。缺少必填列："
            + "、".join(header.missing)
            + "。请使用下载的模板。"
        )
    grid, header = matches[0]
    if len(grid.name) > SHEET_NAME_MAX:
        raise ExcelFileError(
            f"工作表名称过长（{len(grid.name)} 个字），请改为 {SHEET_NAME_MAX} 个字以内后再上传。"
        )
    others = [n for n in visible if n != grid.name]
    return grid, header, others


def read_sheet(
    content: bytes, *, columns: list[Column], filename: str = "", sheet: str | None = None
) -> SheetRead:
    """The data rows of the sheet that matches the template, each cell parsed by its column.

    File-level problems raise ExcelFileError (SheetChoiceNeeded when the uploader must pick a
    sheet); cell problems are kept per row, and what was skipped, filled or changed is listed
    in `notices`, so that the preview shows everything that happened to the file."""
    from .headers import header_lookup

    book = open_workbook(content, filename=filename)
    lookup = header_lookup([c.header for c in columns])
    grid, header, others = _choose_sheet(book, columns, lookup, sheet)
    book.release()
    notices: list[dict[str, Any]] = []
    hidden_sheets = [s.name for s in book.sheets if not s.visible]
    if len(book.sheets) > 1:
        _notice(notices, f"读取的是工作表“{grid.name}”。")
    if others:
        _notice(notices, "未读取其他工作表：" + "、".join(f"“{n}”" for n in others) + "。")
    if hidden_sheets:
        _notice(notices, "已忽略隐藏的工作表：" + "、".join(f"“{n}”" for n in hidden_sheets) + "。")
    rows = _table_rows(grid, columns, header, notices)
    return SheetRead(
        sheet=grid.name,
        header_row=header.row + 1,
        rows=rows,
        notices=notices,
        columns_at=header.at,
    )


def _header_problems(grid: SheetGrid, header: _Header, columns: list[Column], notices) -> None:
    problems = []
    if header.duplicated:
        problems.append(
            "重复的列："
            + "；".join(
                f"{h}（" + "、".join(column_letter(c) + " 列" for c in cs) + "）"
                for h, cs in header.duplicated.items()
            )
        )
    hidden_known = [
        f"{column_letter(c)} 列“{h}”" for h, c in header.at.items() if c in grid.hidden_cols
    ]
    if hidden_known:
        problems.append("这些列被隐藏了：" + "、".join(hidden_known) + "，请取消隐藏并核对后再上传")
    r = header.row
    known_cols = set(header.at.values())
    for (r1, c1), (r2, c2) in grid.merged:
        if r1 <= r <= r2 and c2 > c1 and len(known_cols & set(range(c1, c2 + 1))) > 0:
            problems.append(
                f"表头第 {r + 1} 行 {column_letter(c1)}–{column_letter(c2)} 列是合并单元格，请取消合并，每列一个表头"
            )
    if problems:
        raise ExcelFileError("表头有问题：" + "；".join(problems) + "。")
    if header.unknown:
        _notice(
            notices,
            "已忽略无法识别的列："
            + "、".join(f"{column_letter(c)} 列“{t}”" for c, t in header.unknown)
            + "。",
        )


def _table_rows(
    grid: SheetGrid, columns: list[Column], header: _Header, notices: list
) -> list[Row]:
    _header_problems(grid, header, columns, notices)
    cells = grid.cells
    # The data starts under the header, or under header cells merged down over two rows.
    first = header.row + 1
    known_cols = {c: h for h, c in header.at.items()}
    for (r1, c1), (r2, _c2) in grid.merged:
        if r1 == header.row and c1 in known_cols:
            first = max(first, r2 + 1)
    above = [r + 1 for r in range(header.row) if not _is_empty(cells[r])]
    if above:
        title = next((t for c in cells[above[0] - 1] if (t := _cell_text(c))), "")
        shown = f"（“{title[:40]}”）" if title else ""
        _notice(notices, f"已忽略表头上方的{_row_ranges(above)}{shown}。")
    by_header = {col.header: col for col in columns}
    errors_at = _merge_fill(grid, first, known_cols, by_header, notices)
    _formula_notes(grid, first, known_cols, errors_at, notices)
    header_raw = cells[header.row]
    header_texts = [_cell_text(c) for c in header_raw]
    first_known = min(known_cols)
    # A template column the sheet does not have is absent from each row's values: an update
    # then leaves that field alone instead of clearing it.
    located = [(col, header.at[col.header], {}) for col in columns if col.header in header.at]
    hidden, footers, repeated = [], [], []
    # What was changed in a cell, each distinct note once with its rows.
    noted: dict[tuple[str, str], list[int]] = {}
    result = []
    for index in range(first, len(cells)):
        raw, cells[index] = cells[index], None
        if _is_empty(raw):
            continue
        number = index + 1
        if index in grid.hidden_rows:
            hidden.append(number)
            continue
        for lead in raw:
            if lead != "" and lead is not None:
                break
        if type(lead) is str and lead.lstrip()[:1] in FOOTER_FIRST:
            if "".join(lead.split()).startswith(FOOTER_WORDS):
                footers.append(number)
                continue
        if (
            len(raw) > first_known
            and raw[first_known] == header_raw[first_known]
            and [_cell_text(c) for c in raw] == header_texts
        ):
            repeated.append(number)
            continue
        values, errors, shown = {}, {}, NOTHING_SHOWN
        width = len(raw)
        for col, i, memo in located:
            cell = raw[i] if i < width else None
            problem = errors_at.get((index, i)) if errors_at else None
            if problem:
                values[col.field] = None
                errors[col.header] = problem
                shown = shown or {}
                shown[col.header] = cell
                continue
            # Texts and dates repeat down a column (民族, 党员状态, 入党日期…): each column
            # remembers what its first MEMO_SIZE distinct ones read as.
            if type(cell) is str or isinstance(cell, datetime.date):
                read = memo.get(cell)
                if read is None:
                    read = _read_cell(col, cell)
                    if len(memo) < MEMO_SIZE:
                        memo[cell] = read
            else:
                read = _read_cell(col, cell)
            values[col.field], note, error = read
            if error:
                errors[col.header] = error
                shown = shown or {}
                shown[col.header] = cell
            elif note:
                noted.setdefault((col.header, note), []).append(number)
        result.append(Row(number=number, values=values, errors=errors, shown=shown))
    if hidden:
        _notice(
            notices,
            f"已跳过隐藏的{_row_ranges(hidden)}（共 {len(hidden)} 行）。如需导入，请在 Excel 中取消隐藏后重新上传。",
        )
    if footers:
        _notice(notices, f"已忽略合计、签字等表尾行：{_row_ranges(footers)}。")
    if repeated:
        _notice(notices, f"已忽略重复的表头行：{_row_ranges(repeated)}。")
    # What was changed in single cells comes last: a long list of those must never push the
    # notices about skipped rows out of the preview (imports.py shortens only these).
    for (column, note), numbers in noted.items():
        if len(numbers) == 1:
            _notice(notices, note, row=numbers[0], column=column, cell=True)
        else:
            _notice(notices, f"{_row_ranges(numbers)}：{note}", column=column, cell=True)
    if not result:
        raise ExcelFileError(
            "表格中只有表头，没有数据行。"
            if not hidden
            else "表格中的数据行都被隐藏了，请取消隐藏后再上传。"
        )
    return result


def _merge_fill(grid: SheetGrid, first: int, known_cols: dict[int, str], by_header, notices):
    """Merged data cells read as the clerk sees them: a cell merged down a column shows its
    value on every row, so each row gets it (listed in the preview). A cell merged across
    columns hides the cells it covers: those are refused, naming the range."""
    errors_at: dict[tuple[int, int], str] = {}
    cells = grid.cells
    last_row = len(cells) - 1
    last_col = max(known_cols)
    for (r1, c1), (r2, c2) in sorted(grid.merged):
        if r2 < first or r1 > last_row:
            continue
        rng = f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"
        # A merge may be drawn far past the table (down to row 1,048,576): only the rows and
        # columns the table has are worked through.
        r2, c2 = min(r2, last_row), min(c2, last_col)
        if c2 > c1:
            for c in range(c1 + 1, c2 + 1):
                if c in known_cols:
                    for r in range(max(r1, first), r2 + 1):
                        errors_at[(r, c)] = (
                            f"与 {column_letter(c1)} 列合并成了一个单元格（{rng}），请取消合并后分别填写。"
                        )
        if r2 > r1 and c1 in known_cols:
            value = cells[r1][c1] if c1 < len(cells[r1]) else None
            for r in range(r1 + 1, r2 + 1):
                if c1 < len(cells[r]):
                    cells[r][c1] = value
            if value not in ("", None) and r1 >= first:
                shown = [r + 1 for r in range(r1, r2 + 1) if r not in grid.hidden_rows]
                _notice(
                    notices,
                    f"{_row_ranges(shown)}的“{known_cols[c1]}”是合并单元格（{rng}），"
                    f"已按每行都是“{_cell_text(value)}”读取。",
                    column=known_cols[c1],
                )
    return errors_at


def _formula_notes(grid: SheetGrid, first: int, known_cols, errors_at, notices) -> None:
    """Formulas are read as the result the file kept; one without a kept result is refused,
    and so is any cell showing an error value (#N/A), which would otherwise read as empty."""
    for (r, c), shown in sorted(grid.error_cells.items()):
        if r >= first and c in known_cols:
            errors_at.setdefault(
                (r, c),
                f"单元格 {column_letter(c)}{r + 1} 显示的是错误值 {shown}（多为公式或粘贴出错），"
                "不能导入。请改正或填入实际内容。",
            )
    cached = []
    for (r, c), has_value in sorted(grid.formulas.items()):
        if r < first or c not in known_cols or (r, c) in grid.error_cells:
            continue
        ref = f"{column_letter(c)}{r + 1}"
        if has_value:
            cached.append(ref)
        else:
            errors_at.setdefault(
                (r, c),
                f"单元格 {ref} 是公式，但文件中没有保存计算结果。请在 Excel 中打开并保存后再上传，"
                "或把公式“选择性粘贴为数值”。",
            )
    if cached:
        _notice(
            notices,
            f"工作表“{grid.name}”中这些单元格是公式，已按文件中保存的计算结果读取：{_listing(cached)}。",
        )
