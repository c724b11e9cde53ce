"""The household import (住户导入, kind "households"): Excel rows → households.

Every row is checked by services.household_rules and against the communities of the
uploader's scope; the good rows are inserted at once (services.household_bulk_insert), so a
community's 27,000 households are a few statements, not one service call per row. Any bad
cell leaves the whole file unwritten (core.imports rolls back)."""

from typing import Any

from django.db.models import Q

from zuzhi.core.excel import CellError, Column, Row
from zuzhi.core.imports import ImportOutcome
from zuzhi.core.parsers import parse_id_number, parse_person_name, parse_phone, parse_text

from .models import Household
from .selectors import community_choices
from .services import CHUNK, household_bulk_insert, household_rules


def parse_people(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99:
        raise CellError("家庭人口应为 1 至 99 的整数。")
    return value


COMMUNITY = "社区（村）"
COLUMNS = [
    Column(COMMUNITY, "community", required=True, parse=parse_text, help="填组织代码或名称"),
    Column("网格", "grid", parse=parse_text),
    Column("住址", "address", required=True, parse=parse_text, help="同一社区（村）内不重复"),
    Column("户主姓名", "head_name", required=True, parse=parse_person_name),
    Column("户主公民身份号码", "head_id_number", parse=parse_id_number, help="可不填"),
    Column("联系电话", "phone", parse=parse_phone, help="手机或带区号的固定电话"),
    Column("家庭人口", "people", parse=parse_people),
    Column("备注", "note", parse=parse_text),
]
HEADERS = {c.field: c.header for c in COLUMNS}


class HouseholdImporter:
    kind = "households"
    title = "联系户"
    label_field = "head_name"
    columns = COLUMNS
    notes = [
        "3. 社区（村）填组织代码或名称（见“可导入的党组织”工作表），须是您管理范围内的行政村或社区。",
        "4. 同一社区（村）内住址不能重复；已登记的住址不会重复登记，按“未变”计。",
        "5. 户主公民身份号码、联系电话可不填；填写的须正确（身份号码列请设为“文本”格式）。",
    ]

    def template_orgs(self, *, actor, limit: int) -> list[tuple[str, str]]:
        return list(
            community_choices(user=actor).order_by("path").values_list("name", "code")[:limit]
        )

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
        communities = self._communities(actor, rows)
        known = self._known_addresses(communities)
        seen: set[tuple[int, str]] = set()
        good = []
        for done, row in enumerate(rows, start=1):
            planned = self._row(row, outcome, communities, known, seen)
            if planned is not None:
                good.append(planned)
            progress(done // 2)
        if good and not outcome.errors and not dry_run:
            household_bulk_insert(actor=actor, rows=good)
        if good:
            outcome.count("created", len(good))
        progress(len(rows))

    def _communities(self, actor, rows: list[Row]) -> dict[str, Any]:
        """Code or name → community of the uploader's scope: one query for the file."""
        named = {r.values.get("community") for r in rows} - {None, ""}
        found: dict[str, Any] = {}
        q = Q(code__in=named) | Q(name__in=named) | Q(short_name__in=named)
        for org in community_choices(user=actor).filter(q):
            for key in (org.code, org.name, org.short_name):
                if key in named:
                    found.setdefault(key, org)
        return found

    def _known_addresses(self, communities: dict[str, Any]) -> set[tuple[int, str]]:
        ids = sorted({org.pk for org in communities.values()})
        known: set[tuple[int, str]] = set()
        for start in range(0, len(ids), CHUNK):
            known |= set(
                Household.objects.filter(community_id__in=ids[start : start + CHUNK]).values_list(
                    "community_id", "address"
                )
            )
        return known

    def _row(self, row: Row, outcome: ImportOutcome, communities, known, seen):
        """(community, data) for a good new row; None after recording its errors (all of
        them: one upload shows every problem of the row)."""
        for header, message in row.errors.items():
            outcome.error(row.number, header, message)
        named = row.values.get("community")
        community = communities.get(named) if named else None
        if named and community is None:
            outcome.error(
                row.number,
                COMMUNITY,
                f"“{named}”不是您管理范围内的行政村或社区，请填写组织代码或全称。",
            )
        data = {k: v for k, v in row.values.items() if k != "community"}
        failed = {f for f, h in HEADERS.items() if h in row.errors}
        errors = household_rules(data)
        for field, messages in errors.items():
            if field not in failed:
                for message in messages:
                    outcome.error(row.number, HEADERS[field], message)
        if community is None or errors or row.errors:
            return None
        key = (community.pk, data["address"])
        if key in seen:
            outcome.error(row.number, "住址", "该住址在文件中重复出现。")
            return None
        seen.add(key)
        if key in known:
            outcome.count("unchanged")
            return None
        return (community, data)


HOUSEHOLD_IMPORTER = HouseholdImporter()
