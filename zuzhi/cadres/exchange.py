"""The registry and the `.lrmx` appointment form (干部任免审批表): a cadre as a form, a form as
the cadre's fields. Imports and exports (lrmx_import) go through these two functions, so the
mapping is written once.

Texts are kept as the city's software wrote them (education 大学, health 健康); the coded
columns the registry counts with are derived beside them: gender (GB22611), ethnicity
(GB3304), the highest education (ZB64). A coded value written back keeps the file's own
spelling when it still means the same code, so an unchanged field is not rewritten."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from zuzhi.core import idnumber
from zuzhi.core.codes import code_map, code_parser
from zuzhi.core.excel import CellError

from .lrmx import PERSON_FIELDS, AppointmentForm, FamilyMember, YearMonth
from .models import Cadre
from .models import FamilyMember as FamilyRow
from .yearmonth import ym_text, ym_value

# Form fields stored under the same name on Cadre, as text.
TEXT_FIELDS = tuple(
    f.attr
    for f in PERSON_FIELDS
    if f.kind in ("text", "paragraph") and f.attr not in ("gender", "ethnicity", "version")
)
YM_FIELDS = ("party_joined", "work_started", "age_reference_date", "filled_date")
# What an import may write on a cadre, beside family and photo.
FORM_FIELDS = (
    *TEXT_FIELDS,
    *YM_FIELDS,
    "party_joined_note",
    "id_number",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "lrmx_version",
)
FIELD_LABELS = {f.attr: f.label for f in PERSON_FIELDS} | {
    "party_joined_note": "入党时间（民主党派）",
    "birth_date": "出生年月",
    "education": "最高学历（代码）",
    "lrmx_version": "审批表版本",
}
GENDER_NAMES = {"1": "男", "2": "女"}


@dataclass
class FormValues:
    """A form read as the registry's values: the cadre's fields, family rows, photo."""

    fields: dict[str, Any]
    family: list[dict[str, str]] = field(default_factory=list)
    photo: bytes = b""
    errors: list[str] = field(default_factory=list)


def _code(table: str, what: str, text: str) -> str:
    if not text.strip():
        return ""
    try:
        return code_parser(table, what)(text)
    except CellError:
        return ""


def highest_education(*texts: str) -> str:
    """The highest of the given education texts as a ZB64 code (1x above 2x above 3x)."""
    codes = [c for c in (_code("ZB64", "学历", t) for t in texts) if c]
    return min(codes, key=lambda c: (c[0], c)) if codes else ""


def form_values(form: AppointmentForm) -> FormValues:
    """The registry's values of a form, with the Chinese reasons it cannot be stored."""
    errors: list[str] = []
    if not form.id_number:
        errors.append("缺少公民身份号码（ShenFenZheng），无法确定是哪一位干部。")
    if not form.name.strip():
        errors.append("缺少姓名（XingMing）。")
    values: dict[str, Any] = {name: getattr(form, name) for name in TEXT_FIELDS}
    values |= {name: ym_text(getattr(form, name)) for name in YM_FIELDS}
    values["party_joined_note"] = form.party_joined_note
    values["id_number"] = form.id_number
    values["lrmx_version"] = form.version
    gender = _code("GB22611", "性别", form.gender)
    ethnicity = _code("GB3304", "民族", form.ethnicity)
    if form.ethnicity.strip() and not ethnicity:
        errors.append(f"民族（MinZu）“{form.ethnicity}”不在民族代码表中。")
    birth = None
    if form.id_number:
        birth = idnumber.birth_date(form.id_number)
        gender = gender or idnumber.gender_code(form.id_number)
        if form.birth and (form.birth.year, form.birth.month) != (birth.year, birth.month):
            errors.append(
                f"出生年月（ChuShengNianYue）{form.birth.year}.{form.birth.month:02d} 与公民身份号码"
                f"中的出生日期 {birth:%Y.%m} 不一致。"
            )
    elif form.birth:
        birth = datetime.date(form.birth.year, form.birth.month, form.birth.day or 1)
    values |= {
        "gender": gender,
        "ethnicity": ethnicity,
        "birth_date": birth,
        "education": highest_education(form.full_time_education, form.in_service_education),
    }
    for name, value in values.items():
        limit = Cadre._meta.get_field(name).max_length
        if limit and isinstance(value, str) and len(value) > limit:
            errors.append(f"{FIELD_LABELS[name]}超过 {limit} 个字（现有 {len(value)} 个字）。")
    family = [
        {
            "relation": m.relation,
            "name": m.name,
            "birth": ym_text(m.birth),
            "political_status": m.political_status,
            "work_and_post": m.work_and_post,
        }
        for m in form.family
    ]
    for i, row in enumerate(family, start=1):
        for name, value in row.items():
            limit = FamilyRow._meta.get_field(name).max_length
            if len(value) > limit:
                label = FamilyRow._meta.get_field(name).verbose_name
                errors.append(
                    f"家庭成员第 {i} 项的{label}超过 {limit} 个字（现有 {len(value)} 个字）。"
                )
    return FormValues(fields=values, family=family, photo=form.photo, errors=errors)


def _spelled(table: str, code: str, original: str) -> str:
    """The code's name, or the original text when it still reads as the same code."""
    if original and _code(table, "", original) == code:
        return original
    if table == "GB22611":
        return GENDER_NAMES.get(code, "")
    return code_map(table).get(code, "")


def cadre_form(cadre: Cadre, *, original: AppointmentForm | None = None) -> AppointmentForm:
    """The appointment form of a cadre; `original` (the form last imported) lends its
    spellings of coded values and the day of dates the registry keeps to the month."""
    original = original or AppointmentForm()
    birth = None
    if cadre.birth_date:
        birth = YearMonth(cadre.birth_date.year, cadre.birth_date.month)
    return AppointmentForm(
        **{name: getattr(cadre, name) for name in TEXT_FIELDS},
        **{name: ym_value(getattr(cadre, name)) for name in YM_FIELDS},
        party_joined_note=cadre.party_joined_note,
        gender=_spelled("GB22611", cadre.gender, original.gender),
        ethnicity=_spelled("GB3304", cadre.ethnicity, original.ethnicity),
        birth=birth,
        id_number=cadre.id_number,
        photo=bytes(cadre.photo or b""),
        version=cadre.lrmx_version,
        family=[
            FamilyMember(
                relation=m.relation,
                name=m.name,
                birth=ym_value(m.birth),
                political_status=m.political_status,
                work_and_post=m.work_and_post,
            )
            # In position order (the model's ordering); an export of many prefetches them.
            for m in cadre.family.all()
        ],
    )
