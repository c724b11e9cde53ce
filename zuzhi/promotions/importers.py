"""The annual assessment import (年度考核结果导入): a unit's grades from Excel into its open
assessment round, written by `services.assessment_grades_set`, so the 优秀 cap is checked
over the whole round in the preview as in the write. Entered from the round's page
(`?round=<id>`); rows are matched by ID number to the unit's active cadres."""

from typing import Any

from django.core.exceptions import ValidationError

from zuzhi.cadres.models import AnnualAssessment, AssessmentResult
from zuzhi.core.crypto import blind_index
from zuzhi.core.excel import CellError, Column, Row
from zuzhi.core.imports import ImportOutcome
from zuzhi.core.params import id_param
from zuzhi.core.parsers import parse_id_number, parse_person_name, parse_text

from . import selectors, services
from .models import AssessmentRound

NAME, ID_NUMBER, RESULT = "姓名", "公民身份号码", "考核结果"
RESULTS = {label: value for value, label in AssessmentResult.choices}


def parse_result(value: Any) -> str:
    text = "".join(parse_text(value).split()).removesuffix("等次")
    if text not in RESULTS:
        raise CellError(f"“{text}”不是考核等次，请填{'、'.join(RESULTS)}之一。")
    return RESULTS[text]


COLUMNS = [
    Column(NAME, "name", required=True, parse=parse_person_name),
    Column(ID_NUMBER, "id_number", required=True, parse=parse_id_number),
    Column(RESULT, "result", required=True, parse=parse_result, choices=lambda: list(RESULTS)),
]


class AssessmentImporter:
    kind = "assessments"
    title = "年度考核结果"
    label_field = "name"
    columns = COLUMNS
    notes = [
        "3. 从某单位年度考核的评定页进入导入；每行一名干部，按身份证号对应该单位在职干部。",
        "4. 优秀等次不超过参加考核人数的规定比例（向下取整），超出时整个文件不导入。",
    ]

    def params_from(self, data) -> dict:
        round_id = id_param(data, "round")
        return {"round": round_id} if round_id else {}

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
        round_id = (params or {}).get("round")
        round_ = (
            AssessmentRound.objects.visible_to(actor)
            .select_related("organization")
            .filter(pk=round_id)
            .first()
            if round_id
            else None
        )
        if round_ is None:
            outcome.error(None, "", "请从某单位年度考核的评定页进入导入。")
            return
        # By the blind index of the number: the round's cadres are matched undecrypted.
        cadres = {c.id_number_index: c for c in selectors.assessment_round_cadres(round_)}
        held = dict(
            AnnualAssessment.objects.filter(
                cadre__in=[c.pk for c in cadres.values()], year=round_.year
            ).values_list("cadre_id", "result")
        )
        grades: dict[int, str] = {}
        for done, row in enumerate(rows, start=1):
            for header, message in row.errors.items():
                outcome.error(row.number, header, message)
            number, name = row.values.get("id_number"), row.values.get("name")
            cadre = cadres.get(blind_index("id_number", number)) if number else None
            if number and cadre is None:
                outcome.error(
                    row.number, ID_NUMBER, f"该身份证号不是{round_.organization.name}的在职干部。"
                )
            elif cadre is not None and name and name != cadre.name:
                outcome.error(row.number, NAME, f"姓名与该身份证号登记的“{cadre.name}”不一致。")
            elif cadre is not None and cadre.pk in grades:
                outcome.error(row.number, ID_NUMBER, "同一人在表中出现了两次。")
            elif cadre is not None and not row.errors:
                result = row.values["result"]
                if held.get(cadre.pk) == result:
                    outcome.count("unchanged")
                else:
                    grades[cadre.pk] = result
                    outcome.count("updated" if cadre.pk in held else "created")
            progress(done)
        if outcome.errors or not grades:
            return
        try:
            services.assessment_grades_set(actor=actor, round_=round_, grades=grades)
        except ValidationError as exc:
            for message in exc.messages:
                outcome.error(None, RESULT, message)


ASSESSMENT_IMPORTER = AssessmentImporter()
