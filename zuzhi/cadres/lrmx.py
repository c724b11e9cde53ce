"""The appointment form exchange file (干部任免审批表, `.lrmx`): read and write (zips: lrmx_zip).

What the files look like, as read from public code that reads and writes them: the export
and import of xvchaoqun/owip, a C# reader deserialising a `Person` class, a Python template
writer, an eHR export (zip entry names in GBK) and a Python lrmx editor:

- XML, UTF-8, `<?xml version="1.0" encoding="utf-8"?>` (case varies); root `<Person>`, no
  namespace; one child per field in a fixed order (`PERSON_FIELDS`), ending with ShenFenZheng,
  ZhaoPian and Version (3.2.1.6 and 3.2.1.16 seen). Saved on Windows: BOM and CRLF. Empty
  fields come as `<X></X>`, `<X />` or, from pretty-printing writers, whitespace only.
- Dates: `YYYYMM`, `YYYYMMDD` for JiSuanNianLingShiJian and TianBiaoShiJian; readers add
  the dot for display (`1978.05`) and some writers save it so. RuDangShiJian may hold a
  democratic party instead of or after the date (`200106；九三学社`).
- JiaTingChengYuan holds `<Item>`s (ChengWei, XingMing, ChuShengRiQi, ZhengZhiMianMao,
  GongZuoDanWeiJiZhiWu); some tools add children (Age…) and write empty Items.
- JianLi is one text, a line per period (`1996.09--2000.07  …`), continuation lines (其间…)
  indented with spaces; ZhaoPian is the photo in base64, often empty.
- Newer software adds elements (DaoLingNianYue 到龄年月, GaiGeQianRenZhiNianLingJieXian…).
  Zuzhi does not model them: `write` (lrmx_write) with the original keeps them, and every field that did
  not change, byte for byte. The older `.lrm`/`.pic` pair (GBK text) is not read.
"""

import base64
import binascii
import codecs
import datetime
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from zuzhi.core import idnumber
from zuzhi.core.dates import EARLIEST, LATEST

# The version written into a new file; existing files keep theirs.
DEFAULT_VERSION = "3.2.1.16"


class LrmxError(ValueError):
    """Why a file cannot be read or a form cannot be written: Chinese messages, each naming
    the element."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


class YearMonth(NamedTuple):
    """A date at the form's precision: year and month, and the day when the file gives one."""

    year: int
    month: int
    day: int | None = None


@dataclass
class FamilyMember:
    """One family member or important social relation (家庭主要成员及重要社会关系), an `<Item>`."""

    relation: str = ""
    name: str = ""
    birth: YearMonth | None = None
    political_status: str = ""
    work_and_post: str = ""


@dataclass
class AppointmentForm:
    """The appointment form (干部任免审批表) as the `.lrmx` file carries it."""

    name: str = ""
    gender: str = ""
    birth: YearMonth | None = None
    ethnicity: str = ""
    native_place: str = ""
    birthplace: str = ""
    party_joined: YearMonth | None = None
    # A democratic party written in RuDangShiJian instead of or after the date (九三学社).
    party_joined_note: str = ""
    work_started: YearMonth | None = None
    health: str = ""
    professional_title: str = ""
    expertise: str = ""
    full_time_education: str = ""
    full_time_degree: str = ""
    full_time_education_school: str = ""
    full_time_degree_school: str = ""
    in_service_education: str = ""
    in_service_degree: str = ""
    in_service_education_school: str = ""
    in_service_degree_school: str = ""
    current_post: str = ""
    proposed_post: str = ""
    post_to_leave: str = ""
    resume: str = ""
    rewards_and_punishments: str = ""
    annual_assessments: str = ""
    appointment_reason: str = ""
    family: list[FamilyMember] = field(default_factory=list)
    submitting_unit: str = ""
    age_reference_date: YearMonth | None = None
    filled_date: YearMonth | None = None
    filled_by: str = ""
    id_number: str = ""
    photo: bytes = b""
    version: str = ""


class Field(NamedTuple):
    element: str
    attr: str
    label: str
    # text: surrounding whitespace dropped; paragraph: kept exactly (whitespace only is
    # empty); date, party, id, photo, family: see _read_value.
    kind: str = "text"


PERSON_FIELDS = (
    Field("XingMing", "name", "姓名"),
    Field("XingBie", "gender", "性别"),
    Field("ChuShengNianYue", "birth", "出生年月", "date"),
    Field("MinZu", "ethnicity", "民族"),
    Field("JiGuan", "native_place", "籍贯"),
    Field("ChuShengDi", "birthplace", "出生地"),
    Field("RuDangShiJian", "party_joined", "入党时间", "party"),
    Field("CanJiaGongZuoShiJian", "work_started", "参加工作时间", "date"),
    Field("JianKangZhuangKuang", "health", "健康状况"),
    Field("ZhuanYeJiShuZhiWu", "professional_title", "专业技术职务"),
    Field("ShuXiZhuanYeYouHeZhuanChang", "expertise", "熟悉专业有何专长"),
    Field("QuanRiZhiJiaoYu_XueLi", "full_time_education", "全日制教育学历"),
    Field("QuanRiZhiJiaoYu_XueWei", "full_time_degree", "全日制教育学位"),
    Field(
        "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
        "full_time_education_school",
        "全日制教育学历毕业院校系及专业",
    ),
    Field(
        "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
        "full_time_degree_school",
        "全日制教育学位毕业院校系及专业",
    ),
    Field("ZaiZhiJiaoYu_XueLi", "in_service_education", "在职教育学历"),
    Field("ZaiZhiJiaoYu_XueWei", "in_service_degree", "在职教育学位"),
    Field(
        "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
        "in_service_education_school",
        "在职教育学历毕业院校系及专业",
    ),
    Field(
        "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
        "in_service_degree_school",
        "在职教育学位毕业院校系及专业",
    ),
    Field("XianRenZhiWu", "current_post", "现任职务"),
    Field("NiRenZhiWu", "proposed_post", "拟任职务"),
    Field("NiMianZhiWu", "post_to_leave", "拟免职务"),
    Field("JianLi", "resume", "简历", "paragraph"),
    Field("JiangChengQingKuang", "rewards_and_punishments", "奖惩情况", "paragraph"),
    Field("NianDuKaoHeJieGuo", "annual_assessments", "年度考核结果", "paragraph"),
    Field("RenMianLiYou", "appointment_reason", "任免理由", "paragraph"),
    Field("JiaTingChengYuan", "family", "家庭主要成员及重要社会关系", "family"),
    Field("ChengBaoDanWei", "submitting_unit", "呈报单位"),
    Field("JiSuanNianLingShiJian", "age_reference_date", "计算年龄时间", "date"),
    Field("TianBiaoShiJian", "filled_date", "填表时间", "date"),
    Field("TianBiaoRen", "filled_by", "填表人"),
    Field("ShenFenZheng", "id_number", "身份证号", "id"),
    Field("ZhaoPian", "photo", "照片", "photo"),
    Field("Version", "version", "版本号"),
)
FAMILY_FIELDS = (
    Field("ChengWei", "relation", "称谓"),
    Field("XingMing", "name", "姓名"),
    Field("ChuShengRiQi", "birth", "出生日期", "date"),
    Field("ZhengZhiMianMao", "political_status", "政治面貌"),
    Field("GongZuoDanWeiJiZhiWu", "work_and_post", "工作单位及职务"),
)
FAMILY_ELEMENT = "JiaTingChengYuan"
ITEM_ELEMENT = "Item"

_UNSAFE = "文件含有 DTD 或实体声明，出于安全原因拒绝读取（干部任免审批表不使用 DTD）。"
XML_SPACE = " \t\r\n"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED_ENCODING = re.compile(rb"\A<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_COMPACT_DATE = re.compile(r"\A(\d{4})(\d{2})(\d{2})?\Z")
_SEPARATED_DATE = re.compile(
    r"\A(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*月?\s*(?:[.\-/]?\s*(\d{1,2})\s*日?)?\Z"
)
_PARTY = re.compile(r"\A([\d.\-/年月日]+)(.*)\Z", re.S)
_PARTY_SEPARATORS = "；;，,、" + XML_SPACE
# Characters XML 1.0 cannot carry, not even as character references.
ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Markup of a well-formed document (expat has already checked it): comments, processing
# instructions and CDATA sections are skipped whole, so a "<" inside them is not a tag.
_MARKUP = re.compile(
    r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>"
    r"|<(/?)([^\s/>]+)(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>",
    re.S,
)


# ---------------------------------------------------------------------------- reading


def parse(data: bytes) -> AppointmentForm:
    """The form in a `.lrmx` file, or LrmxError with every problem found (nothing half-read).

    Dates become YearMonth (197805, 1978.05, 1978-05, 1978.5, 19780512, 1978年5月 are
    read); the ID number is checked (check digit, birth date, province) and upper-cased;
    JianLi and the other paragraphs are kept exactly, full-width indentation included (XML
    itself turns CRLF into LF inside them); the photo is decoded. XML with a DTD or entity
    declarations is refused (billion laughs, external entities).
    """
    return read_document(data).form


@dataclass
class Node:
    """Where an element lies in the document text, for rewriting it in place."""

    tag: str
    start: int
    content_start: int
    content_end: int
    end: int
    self_closed: bool
    children: list["Node"] = field(default_factory=list)


@dataclass
class Document:
    text: str
    encoding: str
    bom: bytes
    form: AppointmentForm

    @cached_property
    def root(self) -> Node:
        # Only a rewrite needs where the elements lie: reading a file for its form does not.
        return _layout(self.text)


def read_document(data: bytes) -> Document:
    text, encoding, bom = _decode(data)
    try:
        person = fromstring(text, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise LrmxError([_UNSAFE]) from exc
    except ParseError as exc:
        line, column = exc.position
        raise LrmxError(
            [
                f"文件不是有效的 XML（第 {line} 行第 {column + 1} 列有错）："
                "不是干部任免审批表（.lrmx）文件，或文件已损坏。"
            ]
        ) from exc
    if person.tag != "Person":
        raise LrmxError(
            [f"文件的根元素是 <{person.tag}>，不是干部任免审批表（.lrmx）的 <Person>。"]
        )
    errors: list[str] = []
    children = _children(person)
    values = _read_fields(children, PERSON_FIELDS, errors, where="")
    family = []
    container = _single(children, FAMILY_ELEMENT, "家庭主要成员及重要社会关系", errors, where="")
    if container is not None:
        for number, item in enumerate(container.findall(ITEM_ELEMENT), start=1):
            where = f"家庭成员第 {number} 项的"
            family.append(
                FamilyMember(**_read_fields(_children(item), FAMILY_FIELDS, errors, where))
            )
    if errors:
        raise LrmxError(errors)
    party_joined, party_joined_note = values.pop("party_joined")
    form = AppointmentForm(
        **values, party_joined=party_joined, party_joined_note=party_joined_note, family=family
    )
    return Document(text=text, encoding=encoding, bom=bom, form=form)


def _decode(data: bytes) -> tuple[str, str, bytes]:
    bom, encoding = next(((bom, name) for bom, name in _BOMS if data.startswith(bom)), (b"", ""))
    if not encoding:
        declared = _DECLARED_ENCODING.match(data)
        encoding = declared[1].decode("ascii") if declared else "utf-8"
    try:
        codec = codecs.lookup(encoding).name
    except LookupError as exc:
        raise LrmxError([f"文件声明的字符编码“{encoding}”无法识别。"]) from exc
    try:
        text = data[len(bom) :].decode(codec)
    except UnicodeDecodeError as exc:
        raise LrmxError(
            [
                f"文件内容不是有效的 {encoding} 文本：不是干部任免审批表（.lrmx）文件，"
                "或文件已损坏、编码声明有误。"
            ]
        ) from exc
    return text, codec, bom


def _layout(text: str) -> Node:
    stack: list[Node] = []
    for match in _MARKUP.finditer(text):
        closing, tag, empty = match.groups()
        if tag is None:
            continue
        if closing:
            node = stack.pop()
            node.content_end, node.end = match.start(), match.end()
            if not stack:
                return node
            continue
        node = Node(tag, match.start(), match.end(), match.end(), match.end(), bool(empty))
        if stack:
            stack[-1].children.append(node)
        if not empty:
            stack.append(node)
        elif not stack:
            return node
    raise AssertionError("expat accepted a document without a root element")


def _children(parent) -> dict[str, list]:
    """The children of an element by tag: one pass, rather than a search per field."""
    children: dict[str, list] = {}
    for child in parent:
        children.setdefault(child.tag, []).append(child)
    return children


def _single(children: dict[str, list], tag: str, label: str, errors: list[str], *, where: str):
    """The one child `tag` (None when absent) among `children` (from _children); a field
    given twice is refused, since either copy could be the one meant."""
    found = children.get(tag, [])
    if len(found) > 1:
        errors.append(
            f"{where}{label}（{tag}）在文件中出现了 {len(found)} 次，无法确定以哪个为准。"
        )
    return found[0] if found else None


def _read_fields(
    children: dict[str, list], fields_: tuple[Field, ...], errors: list[str], where: str
) -> dict:
    values = {}
    for f in fields_:
        if f.kind == "family":
            continue
        element = _single(children, f.element, f.label, errors, where=where)
        if element is not None and len(element):
            errors.append(f"{where}{f.label}（{f.element}）中不应有子元素。")
        raw = "" if element is None else element.text or ""
        values[f.attr] = _read_value(f, raw, errors, where)
    return values


def _read_value(f: Field, raw: str, errors: list[str], where: str):
    value = raw.strip(XML_SPACE)
    name = f"{where}{f.label}（{f.element}）"
    if f.kind == "paragraph":
        return raw if value else ""
    if f.kind == "date":
        return _read_date(value, name, errors) if value else None
    if f.kind == "party":
        # A date, a party, or a date then a party: 199806；九三学社.
        match = _PARTY.match(value)
        if match is None:
            return None, value
        return _read_date(match[1], name, errors), match[2].lstrip(_PARTY_SEPARATORS)
    if f.kind == "id" and value:
        try:
            return idnumber.validate(value, today=datetime.date.today())
        except idnumber.IdNumberError as exc:
            errors.append(f"{name}“{value}”：{exc}")
    if f.kind == "photo":
        try:
            return base64.b64decode("".join(value.split()), validate=True)
        except binascii.Error:
            errors.append(f"{name}不是有效的 Base64 编码，照片无法读取。")
    return value


def _read_date(value: str, name: str, errors: list[str]) -> YearMonth | None:
    match = _COMPACT_DATE.match(value) or _SEPARATED_DATE.match(value)
    if match is None:
        errors.append(f"{name}“{value}” 不是有效的年月。")
        return None
    year, month = int(match[1]), int(match[2])
    day = int(match[3]) if match[3] else None
    try:
        datetime.date(year, month, day or 1)
    except ValueError:
        errors.append(f"{name}“{value}” 不是有效的年月。")
        return None
    if not EARLIEST.year <= year <= LATEST.year:
        errors.append(f"{name}“{value}” 不在 {EARLIEST.year} 年至 {LATEST.year} 年之间。")
        return None
    return YearMonth(year, month, day)
