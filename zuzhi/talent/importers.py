"""The talent import (人才导入, kind "talents"): Excel rows → the county's registry.

Only the talent office imports; rows land in its county. Every row is checked by
services.talent_rules (the form's and the API's check); a new ID number is registered, a
known one updated where the sheet differs. Any bad cell leaves the whole file unwritten
(core.imports rolls back)."""

from django.core.exceptions import ValidationError

from zuzhi.core.crypto import blind_index
from zuzhi.core.excel import Column, Row
from zuzhi.core.imports import ImportOutcome, validation_messages
from zuzhi.core.parsers import (
    choice_parser,
    parse_date,
    parse_id_number,
    parse_person_name,
    parse_phone,
    parse_text,
)

from .models import Degree, Talent, TalentTitle
from .scoping import require_talent_office, talent_county
from .services import TALENT_FIELDS, talent_create, talent_rules, talent_update

TITLE = "人才称号"
COLUMNS = [
    Column("姓名", "name", required=True, parse=parse_person_name),
    Column("公民身份号码", "id_number", required=True, parse=parse_id_number),
    Column("联系电话", "phone", parse=parse_phone),
    Column(
        "最高学历学位",
        "degree",
        parse=choice_parser(Degree.choices),
        help="博士研究生、硕士研究生、大学本科、大学专科、其他",
    ),
    Column("毕业院校", "school", parse=parse_text),
    Column("所学专业", "major", parse=parse_text),
    Column("专业领域", "field", parse=parse_text),
    Column("工作单位", "employer", parse=parse_text),
    Column("所属产业", "industry", parse=parse_text),
    Column("职务/职称", "position", parse=parse_text),
    Column(TITLE, "title", parse=parse_text, help="填“人才称号”页已有的称号"),
    Column("来县工作时间", "arrived_on", parse=parse_date),
    Column("荣誉", "honours", parse=parse_text),
    Column("备注", "note", parse=parse_text),
]
HEADERS = {c.field: c.header for c in COLUMNS}


class TalentImporter:
    kind = "talents"
    title = "人才库"
    label_field = "name"
    columns = COLUMNS
    notes = [
        "3. 公民身份号码已在本县人才库的，按本表更新该人才的信息；其余新录入人才库。",
        "4. 人才称号须是“人才称号”页已有的称号，可不填。",
        "5. 身份号码列请设为“文本”格式。",
    ]

    def apply(
        self,
        *,
        actor,
        rows: list[Row],
        outcome: ImportOutcome,
        progress,
        dry_run: bool,
        confirmed: frozenset[int] = frozenset(),
        params=None,
    ) -> None:
        require_talent_office(actor)
        county = talent_county(actor)
        titles = {t.name: t for t in TalentTitle.objects.filter(county=county)}
        # Known talents by the blind index of their number: matched without decrypting.
        keys = {blind_index("id_number", r.values.get("id_number")) for r in rows} - {""}
        known = {
            t.id_number_index: t
            for t in Talent.objects.filter(county=county, id_number_index__in=keys)
        }
        seen: set[str] = set()
        for done, row in enumerate(rows, start=1):
            self._row(actor, county, row, outcome, titles, known, seen)
            progress(done)

    def _row(self, actor, county, row: Row, outcome, titles, known, seen) -> None:
        """Register or update one row's talent, or record all of its errors."""
        errors_before = len(outcome.errors)
        for header, message in row.errors.items():
            outcome.error(row.number, header, message)
        # Empty cells leave a known talent's fields as they are.
        data = {k: row.values[k] for k in TALENT_FIELDS if row.values.get(k) not in (None, "")}
        named = data.pop("title", "")
        if named:
            data["title"] = titles.get(named)
            if data["title"] is None:
                outcome.error(row.number, TITLE, f"“{named}”不是本县已有的人才称号。")
        failed = {f for f, h in HEADERS.items() if h in row.errors}
        # Checked as the service will see it: the known talent's values under the sheet's.
        existing = known.get(blind_index("id_number", data.get("id_number")))
        checked = {k: getattr(existing, k, None) for k in TALENT_FIELDS if k not in data} | data
        for field, messages in talent_rules(checked, county=county).items():
            if field not in failed and (field in data or field in ("name", "id_number")):
                for message in messages:
                    outcome.error(row.number, HEADERS[field], message)
        number = data.get("id_number", "")
        if number and number in seen:
            outcome.error(row.number, HEADERS["id_number"], "该公民身份号码在文件中重复出现。")
        seen.add(number)
        if len(outcome.errors) > errors_before:
            return
        try:
            if existing is None:
                talent_create(actor=actor, county=county, data=data)
                outcome.count("created")
            else:
                updated = talent_update(actor=actor, talent=existing, data=data)
                changed = updated.updated_at != existing.updated_at
                outcome.count("updated" if changed else "unchanged")
        except ValidationError as exc:
            for header, message in validation_messages(exc, HEADERS):
                outcome.error(row.number, header or HEADERS["name"], message)


TALENT_IMPORTER = TalentImporter()
