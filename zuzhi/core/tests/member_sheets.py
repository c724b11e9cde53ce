"""A members roster as offices save it, for the import tests that go through the member
importer: its headers, one member's row, and .xlsx and .ods files edited at the XML level."""

import io
import zipfile

from zuzhi.core.imports import import_job_create
from zuzhi.core.models import ImportJob
from zuzhi.testing.factories import valid_id_number
from zuzhi.testing.sheets import ODS_MANIFEST, sheet_xml_edited

MEMBER_HEADERS = ["姓名", "公民身份号码", "民族", "学历", "入党日期", "党员状态", "所在党组织代码"]
ID_A = valid_id_number("19700101", 11)  # a man
ID_B = valid_id_number("19720304", 22)  # a woman


def member_row(name="李明", number=ID_A, **cells) -> list:
    values = {
        "姓名": name,
        "公民身份号码": number,
        "民族": "汉族",
        "学历": "高中",
        "入党日期": "1995-07-01",
        "党员状态": "正式党员",
        "所在党组织代码": "VA1",
    }
    values.update(cells)
    return [values.get(h) for h in MEMBER_HEADERS]


def member_import(actor, content, filename="党员.xlsx") -> ImportJob:
    return import_job_create(actor=actor, kind="members", filename=filename, content=content)


def sheet_replaced(content: bytes, old: bytes, new: bytes) -> bytes:
    """The .xlsx with `old` replaced by `new` in the first sheet's XML."""

    def edit(data: bytes) -> bytes:
        assert old in data, data
        return data.replace(old, new)

    return sheet_xml_edited(content, edit)


ODS_NS = (
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    ' xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"'
)


def ods_book(rows_xml: str, styles: str = "", sheet: str = "党员") -> bytes:
    """An OpenDocument spreadsheet as LibreOffice and WPS save it, rows given as XML."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content{ODS_NS} office:version="1.2">'
        f"<office:automatic-styles>{styles}</office:automatic-styles>"
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">'
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        z.writestr("content.xml", content)
    return buffer.getvalue()


def ods_rows(rows: list[list]) -> str:
    return "".join(
        "<table:table-row>" + "".join(ods_text(v) for v in values) + "</table:table-row>"
        for values in rows
    )


def ods_text(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    return (
        f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    )
