"""Opening an uploaded spreadsheet (工作簿): .xlsx, .xls, .ods or .csv, as the grid the clerk sees.

python-calamine reads the values. What it does not expose and an import must not get wrong is
read here from the file itself: which rows and columns are hidden, which numbers are shown as
percentages, which cells are formulas (and whether the file kept their result), and which sheet
was open when the file was saved. For .xlsx that is a streaming pass over the sheet's XML with
byte regexes; for .ods over content.xml.
"""

import codecs
import csv
import datetime
import html
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from python_calamine import CalamineWorkbook

# Uncompressed size a workbook may unpack to: guards against zip bombs.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
# Old .xls files and password-protected .xlsx files are both OLE compound documents.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BOMB_MESSAGE = "文件解压后过大，疑似损坏或恶意文件，已拒绝。"
DAMAGED = "文件已损坏，无法读取。请在 Excel 或 WPS 中打开后重新保存再上传。"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
CHUNK = 1 << 20

# The patterns over a sheet's XML stop at the next "<" and commit to what they matched, so each
# byte is looked at a bounded number of times: a crafted file cannot make them backtrack.
ATTR_RX = re.compile(rb'([\w:]{1,64})="([^"<]{0,4096})"')
ROW_RX = re.compile(rb"<(?:\w+:)?row\b([^<>]{0,4096})>")
COL_RX = re.compile(rb"<(?:\w+:)?col\b([^<>]{0,4096})>")
FORMULA_CELL_RX = re.compile(
    rb"<(?:\w+:)?c\b([^<>]{0,4096}+)>\s{0,64}+<(?:\w+:)?f\b[^<>/]{0,4096}+"
    rb"(?:/>|>[^<]{0,65536}+</(?:\w+:)?f>)"
    rb"\s{0,64}+(?:<(?:\w+:)?v>([^<]{0,65536}+)</(?:\w+:)?v>)?"
)
CELL_REF_RX = re.compile(rb"([A-Z]+)([0-9]+)")
# The number of the last row of a piece of sheet XML, and the cell references past column Z (two
# or three letters): the sheet's extent without reading every cell reference.
ROW_NUMBER_RX = re.compile(rb'[<:]row\s[^<>]{0,4096}?\br="([0-9]{1,7})"')
WIDE_REF_RX = re.compile(rb'\sr="([A-Z]{2,3})[0-9]{1,7}"')
WIDE_REF_FAST_RX = re.compile(rb' r="([A-Z]{2,3})[0-9]{1,7}"')
ODD_SEPARATORS = (b'\tr="', b'\nr="', b'\rr="')
ERROR_CELL_RX = re.compile(
    rb'<(?:\w+:)?c\b((?>[^<>]{0,4096}?\st="e")[^<>/]{0,4096}+)>'
    rb"(?:\s{0,64}+<(?:\w+:)?f\b[^<>/]{0,4096}+(?:/>|>[^<]{0,65536}+</(?:\w+:)?f>))?"
    rb"\s{0,64}+<(?:\w+:)?v>([^<]{0,64}+)</(?:\w+:)?v>"
)
# Built-in number formats 9 and 10 are 0% and 0.00%; 17 (mmm-yy) and, in Chinese Excel and
# WPS, 27, 36, 50, 52 and 57 (yyyy"年"m"月") show a date's year and month only.
BUILTIN_PERCENT = {9, 10}
BUILTIN_MONTH = {17, 27, 36, 50, 52, 57}
EXCEL_EPOCH = datetime.date(1899, 12, 30)


class ExcelFileError(Exception):
    """The file as a whole cannot be imported; the message says why, in Chinese."""


@dataclass
class SheetGrid:
    """One sheet as the clerk sees it: cells from A1 (0-based rows and columns), percentages
    as the text they show, and what is hidden, merged or computed."""

    name: str
    cells: list[list[Any]]
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    # Formula cells: (row, column) → whether the file kept the formula's last result.
    formulas: dict[tuple[int, int], bool] = field(default_factory=dict)
    # Cells showing an error value (#N/A, #DIV/0!…), which calamine reads as empty.
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class SheetInfo:
    name: str
    visible: bool


@dataclass
class Workbook:
    """An opened upload. `kind` is xlsx, xls, ods or csv; `active` the sheet open when saved."""

    kind: str
    sheets: list[SheetInfo]
    active: str | None
    _content: bytes
    _book: Any = None
    _parts: dict[str, Any] = field(default_factory=dict)

    def grid(self, name: str) -> SheetGrid:
        if self.kind == "csv":
            return SheetGrid(name=name, cells=_csv_cells(self._content))
        from .xls_ods import _ods_scan, _xls_details, _xls_extent

        grid = SheetGrid(name=name, cells=[])
        # What calamine cannot tell is read first, with the sheet's extent: calamine builds
        # the sheet as a dense grid, and a stray value in cell XFD1048576 would ask it for
        # hundreds of GB and abort the process.
        styled: list[tuple[int, int, str]] = []
        if self.kind == "xlsx":
            styled = _xlsx_scan(self._content, self._parts, name, grid)
        elif self.kind == "xls":
            _xls_extent(self._content, name)
        elif self.kind == "ods":
            styled = _ods_scan(self._content, name, grid)
        try:
            sheet = self._book.get_sheet_by_name(name)
            grid.cells = sheet.to_python(skip_empty_area=False)
            grid.merged = list(sheet.merged_cell_ranges or []) or grid.merged
        except Exception as exc:  # calamine raises several unrelated types for broken files
            raise ExcelFileError(DAMAGED) from exc
        cells = grid.cells
        for r, c, how in styled:
            if r < len(cells) and c < len(cells[r]):
                cells[r][c] = _as_shown(cells[r][c], how)
        if self.kind == "xls":
            _xls_details(self._content, name, grid)
        return grid

    def release(self) -> None:
        """Let calamine's copy of the workbook go: at 100,000 rows it weighs some 100 MB."""
        self._book = None


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: bytes | str) -> int:
    number = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        number = number * 26 + ord(ch) - 64
    return number - 1


def open_workbook(content: bytes, *, filename: str = "") -> Workbook:
    """The upload opened for reading, or ExcelFileError saying in Chinese what is wrong."""
    limit = settings.ZUZHI_MAX_UPLOAD_BYTES
    if len(content) > limit:
        raise ExcelFileError(
            f"文件过大（{len(content) / 1024 / 1024:.1f} MB），上限为 {limit // 1024 // 1024} MB，请分批导入。"
        )
    if not content:
        raise ExcelFileError("文件是空的。")
    name = filename.lower()
    if content.startswith(OLE_MAGIC):
        return _open_calamine("xls", content)
    if content.startswith(b"PK"):
        parts = _check_zip(content)
        if "xl/workbook.xml" in parts:
            return _open_xlsx(content, parts)
        if parts.get("mimetype") == ODS_MIME or "content.xml" in parts:
            return _open_calamine("ods", content, parts)
        raise ExcelFileError(
            "文件不是有效的 Excel 文件。请上传 .xlsx、.xls、.ods 或 .csv 格式的表格。"
        )
    if name.endswith((".csv", ".txt")) or not name:
        return Workbook(kind="csv", sheets=[SheetInfo("CSV", True)], active="CSV", _content=content)
    raise ExcelFileError("文件不是有效的 Excel 文件。请上传 .xlsx、.xls、.ods 或 .csv 格式的表格。")


def _open_calamine(kind: str, content: bytes, parts: dict | None = None) -> Workbook:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = [
            SheetInfo(m.name, str(m.visible).endswith(".Visible"))
            for m in book.sheets_metadata
            if str(m.typ).endswith(".WorkSheet")
        ]
    except Exception as exc:
        if kind == "xls":
            raise ExcelFileError(
                "无法读取该文件：可能设置了打开密码，或文件已损坏。请在 Excel 或 WPS 中取消密码、"
                "另存为 .xlsx 后再上传。"
            ) from exc
        raise ExcelFileError(DAMAGED) from exc
    from .xls_ods import _ods_active, _xls_active

    active = None
    if kind == "ods":
        active = _ods_active(content)
    elif kind == "xls":
        active = _xls_active(content)
    return Workbook(
        kind=kind, sheets=sheets, active=active, _content=content, _book=book, _parts=parts or {}
    )


def _check_zip(content: bytes) -> dict[str, Any]:
    """Every part unpacked once, bounded: zipfile never yields more than a part's declared size
    and checks its CRC, so a part whose declared size lies is refused here as damaged; calamine
    (which would unpack it unbounded) then only reads parts whose sizes are known to be true.
    Returns the small parts this module reads itself (workbook, relations, styles, mimetype)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ExcelFileError(
            "文件不是有效的 Excel 文件。请上传 .xlsx、.xls、.ods 或 .csv 格式的表格。"
        ) from exc
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise ExcelFileError(BOMB_MESSAGE)
    small = {
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "mimetype",
        "settings.xml",
    }
    parts: dict[str, Any] = {}
    try:
        for info in infos:
            with archive.open(info) as part:
                if info.filename in small:
                    parts[info.filename] = part.read()
                else:
                    while part.read(CHUNK):
                        pass
                    parts.setdefault(info.filename, None)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise ExcelFileError(DAMAGED) from exc
    except RuntimeError as exc:  # zipfile's "File is encrypted, password required"
        raise ExcelFileError("文件受密码保护，请取消密码后再上传。") from exc
    return parts


def _attrs(raw: bytes) -> dict[str, str]:
    return {
        k.decode().split(":")[-1]: html.unescape(v.decode("utf-8", "replace"))
        for k, v in ATTR_RX.findall(raw)
    }


def _open_xlsx(content: bytes, parts: dict[str, Any]) -> Workbook:
    book = _open_calamine("xlsx", content, parts)
    workbook_xml = parts.get("xl/workbook.xml") or b""
    tabs = [
        _attrs(m.group(1))
        for m in re.finditer(rb"<(?:\w+:)?sheet\b([^<>]{0,4096}?)/?>", workbook_xml)
        if b"name=" in m.group(1)
    ]
    view = re.search(rb"<(?:\w+:)?workbookView\b([^<>]{0,4096})>", workbook_xml)
    active_tab = int(_attrs(view.group(1)).get("activeTab", "0") or 0) if view else 0
    if 0 <= active_tab < len(tabs):
        book.active = tabs[active_tab].get("name")
    rels = {
        a.get("Id"): a.get("Target", "")
        for a in (
            _attrs(m.group(1))
            for m in re.finditer(
                rb"<(?:\w+:)?Relationship\b([^<>]{0,4096}?)/?>",
                parts.get("xl/_rels/workbook.xml.rels") or b"",
            )
        )
    }
    targets = {}
    for tab in tabs:
        target = rels.get(tab.get("id"), "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[tab.get("name")] = target
    book._parts = {
        "targets": targets,
        "shown_styles": _shown_styles(parts.get("xl/styles.xml")),
    }
    return book


def _bare_format(code: str) -> str:
    """A format code without its quoted text, [colour]/[locale] parts and escapes."""
    return re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code)


def _is_percent_format(code: str) -> bool:
    """A format code that shows a percentage."""
    return "%" in _bare_format(code)


def _date_shown(code: str) -> str | None:
    """What of a date a format shows, where it hides the day: "month" for yyyy"年"m"月" or
    yyyy.mm (what Excel makes of "1995-3" typed by a clerk), "year" for yyyy alone; None
    otherwise. The hidden day (and month) is Excel's invention, never read."""
    bare = _bare_format(code).lower()
    if "y" not in bare or any(ch in bare for ch in "dhs"):
        return None
    return "month" if "m" in bare else "year"


def _shown_styles(styles: bytes | None) -> dict[int, str]:
    """Cell styles (cellXfs indexes) whose number format changes what a value means as
    shown: "percent", or "month" for a date shown without its day."""
    if not styles:
        return {}
    custom = {
        int(a["numFmtId"]): a.get("formatCode", "")
        for a in (
            _attrs(m.group(1))
            for m in re.finditer(rb"<(?:\w+:)?numFmt\b([^<>]{0,4096}?)/?>", styles)
        )
        if a.get("numFmtId", "").isdigit()
    }
    block = re.search(rb"<(?:\w+:)?cellXfs\b[^<>]{0,4096}>(.*?)</(?:\w+:)?cellXfs>", styles, re.S)
    if not block:
        return {}
    shown = {}
    for index, m in enumerate(re.finditer(rb"<(?:\w+:)?xf\b([^<>]{0,4096}?)/?>", block.group(1))):
        fmt = _attrs(m.group(1)).get("numFmtId", "0")
        fmt_id = int(fmt) if fmt.isdigit() else 0
        code = custom.get(fmt_id)
        if fmt_id in BUILTIN_PERCENT or (code is not None and _is_percent_format(code)):
            shown[index] = "percent"
        elif fmt_id in BUILTIN_MONTH:
            shown[index] = "month"
        elif code is not None and (how := _date_shown(code)):
            shown[index] = how
    return shown


def _as_shown(value: Any, how: str) -> Any:
    """A cell's value as its format shows it: 0.925 as "92.5%", a date shown as a month as
    "1995.03" and one shown as a year as "1995" (text, which a column needing a day or a month
    then refuses instead of inventing one)."""
    from .cells import percent_text

    if isinstance(value, bool):
        return value
    if how == "percent" and isinstance(value, int | float):
        return percent_text(value)
    if how in ("month", "year"):
        if isinstance(value, int | float) and 0 < value < 2958466:
            value = EXCEL_EPOCH + datetime.timedelta(days=int(value))
        if isinstance(value, datetime.date):
            return f"{value.year}.{value.month:02d}" if how == "month" else f"{value.year}"
    return value


def _segments(content: bytes, part_name: str):
    """The sheet XML in pieces that end with a whole row, so no row straddles two pieces."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(part_name) as part:
        tail = b""
        while chunk := part.read(CHUNK):
            data = tail + chunk
            cut = _last_row_end(data)
            if not cut and len(data) > 8 * CHUNK:
                cut = len(data)  # no row ends here: not a sheet Excel wrote; keep memory flat
            if cut:
                yield data[:cut]
                tail = data[cut:]
            else:
                tail = data
        if tail:
            yield tail


def _last_row_end(data: bytes) -> int:
    """Where the last closing row tag (</row> or </x:row>) ends; 0 when there is none."""
    at = len(data)
    while (at := data.rfind(b"row>", 0, at)) > 0:
        if data[at - 2 : at] == b"</" or (
            data[at - 1 : at] == b":" and b"</" in data[at - 12 : at]
        ):
            return at + 4
    return 0


# A cell element (<c …> or <x:c …>): what a sheet really holds, whatever its extent.
CELL_TAG_RX = re.compile(rb"<(?:\w+:)?c[\s>/]")
# A sheet holding cells may extend this many times their number (blank cells are not written).
CELLS_TO_EXTENT = 4


def _too_big(name: str, rows: int, columns: int, cells: int = 0) -> ExcelFileError | None:
    """A sheet reaching further than ZUZHI_IMPORT_MAX_CELLS, unless it holds cells for a good
    part of that extent (a county's registry of 300,000 rows × 26 columns is 7.8 million):
    what the limit refuses is a small file with a stray cell far away, whose dense grid would
    cost the reader hundreds of megabytes for nothing. A sheet narrower than 26 columns is
    counted as 26 wide (its width is not measured): seven filled cells a row pass."""
    if rows * columns <= max(settings.ZUZHI_IMPORT_MAX_CELLS, CELLS_TO_EXTENT * cells):
        return None
    return ExcelFileError(
        f"工作表“{name}”的使用范围过大（到第 {rows} 行、第 {column_letter(columns - 1)} 列），"
        "多半是表格以外的远处单元格有误操作留下的内容或格式。请删除表格以外的行和列后再上传。"
    )


def _xlsx_scan(
    content: bytes, parts: dict[str, Any], name: str, grid: SheetGrid
) -> list[tuple[int, int, str]]:
    """Hidden rows and columns, formulas and error cells of one sheet into `grid`, and the
    cells whose format changes what they show (percent, month), from the sheet's XML; refuses
    a sheet whose extent is too large to read."""
    target = parts.get("targets", {}).get(name)
    if not target:
        raise ExcelFileError(DAMAGED)
    shown_styles: dict[int, str] = parts.get("shown_styles") or {}
    styled_rx = None
    if shown_styles:
        styles = b"|".join(str(i).encode() for i in sorted(shown_styles))
        styled_rx = re.compile(
            rb'<(?:\w+:)?c\b((?>[^<>]{0,4096}?\ss="(?:' + styles + rb')")[^<>]{0,4096}+)>'
        )
    row_number = 0
    last_row = max_col = cells = 0
    styled: list[tuple[int, int, str]] = []
    for segment in _segments(content, target):
        cells += len(CELL_TAG_RX.findall(segment))
        at = len(segment)
        while (at := segment.rfind(b"row ", 0, at)) > 0:
            if m := ROW_NUMBER_RX.match(segment, at - 1):
                last_row = max(last_row, int(m.group(1)))
                break
        # Attributes are separated by a space in every writer seen; the other XML
        # separators are looked for only when present (the literal search is 7× faster).
        wide = WIDE_REF_RX if any(sep in segment for sep in ODD_SEPARATORS) else WIDE_REF_FAST_RX
        for letters in set(wide.findall(segment)):
            max_col = max(max_col, column_index(letters) + 1)
        if b"hidden" in segment:
            for m in COL_RX.finditer(segment):
                a = _attrs(m.group(1))
                if a.get("hidden") in ("1", "true") and a.get("min", "").isdigit():
                    grid.hidden_cols.update(range(int(a["min"]) - 1, int(a.get("max") or a["min"])))
            for m in ROW_RX.finditer(segment):
                a = _attrs(m.group(1))
                if a.get("hidden") in ("1", "true"):
                    row_number = int(a["r"]) if a.get("r", "").isdigit() else row_number + 1
                    grid.hidden_rows.add(row_number - 1)
                elif a.get("r", "").isdigit():
                    row_number = int(a["r"])
        if styled_rx is not None:
            for m in styled_rx.finditer(segment):
                a = _attrs(m.group(1))
                ref = CELL_REF_RX.fullmatch(a.get("r", "").encode())
                if ref and a.get("t", "n") in ("n", "d"):
                    how = shown_styles[int(a["s"])]
                    styled.append((int(ref.group(2)) - 1, column_index(ref.group(1)), how))
        if b"<f" in segment or b":f" in segment:
            for m in FORMULA_CELL_RX.finditer(segment):
                ref = CELL_REF_RX.fullmatch(_attrs(m.group(1)).get("r", "").encode())
                if ref:
                    cached = m.group(2)
                    grid.formulas[(int(ref.group(2)) - 1, column_index(ref.group(1)))] = bool(
                        cached and cached.strip()
                    )
        if b't="e"' in segment:
            for m in ERROR_CELL_RX.finditer(segment):
                ref = CELL_REF_RX.fullmatch(_attrs(m.group(1)).get("r", "").encode())
                if ref:
                    shown = html.unescape(m.group(2).decode("utf-8", "replace"))
                    grid.error_cells[(int(ref.group(2)) - 1, column_index(ref.group(1)))] = shown
    # Columns A–Z need no counting: at most 26 of them.
    if problem := _too_big(name, last_row, max(max_col, 26), cells):
        raise problem
    return styled


def _csv_cells(content: bytes) -> list[list[Any]]:
    """CSV in UTF-8 (with or without BOM) or GBK/GB18030, as Excel and WPS save it."""
    if content.startswith(codecs.BOM_UTF8):
        text = content[3:].decode("utf-8", "replace")
    else:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise ExcelFileError(
                    "无法识别 CSV 文件的文字编码。请用 Excel 另存为 .xlsx，或另存为 UTF-8 编码的 CSV。"
                ) from exc
    if "\x00" in text[:1000]:
        raise ExcelFileError(
            "文件不是有效的表格文件。请上传 .xlsx、.xls、.ods 或 .csv 格式的表格。"
        )
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise ExcelFileError(
            "CSV 文件格式有误（如引号不配对或单元格过长），请用 Excel 打开后另存为 .xlsx 再上传。"
        ) from exc
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]
