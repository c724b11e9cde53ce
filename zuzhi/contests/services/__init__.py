"""Writes of the contest engine (考评竞赛), one module per subject; the shared rules (who may
manage, what is editable) are in `contests.rules`, the public vote in `contests.voting`.

A contest is managed by users whose scope holds its organizing node (主办单位); users below it
enter data for their own entrants; judges act only on the stages they are seated on.
Once a result is published every input is locked; a correction opens a new version.
"""

from .configuration import (
    CONTEST_FIELDS,
    MAX_INDICATOR_DEPTH,
    STAGE_FIELDS,
    contest_configure,
    contest_copy,
    contest_create,
    contest_problems,
    contest_start,
    contest_update,
    stage_specs,
)
from .entrants import (
    entrant_add,
    entrant_update,
    entrants_add_eligible,
)
from .inputs import (
    adjustment_decide,
    adjustment_request,
    direct_score_set,
    indicator_value_evidence_set,
    indicator_value_set,
)
from .judging import (
    appearance_close,
    appearance_open,
    correction_decide,
    correction_request,
    judge_seat,
    sheet_check,
    sheet_submit,
)
from .results import (
    case_close,
    result_compute,
    result_publish,
    result_revise,
)

__all__ = [
    "CONTEST_FIELDS",
    "STAGE_FIELDS",
    "contest_create",
    "contest_update",
    "MAX_INDICATOR_DEPTH",
    "contest_configure",
    "stage_specs",
    "contest_copy",
    "contest_start",
    "contest_problems",
    "entrant_add",
    "entrants_add_eligible",
    "entrant_update",
    "indicator_value_set",
    "indicator_value_evidence_set",
    "direct_score_set",
    "adjustment_request",
    "adjustment_decide",
    "judge_seat",
    "appearance_open",
    "appearance_close",
    "sheet_check",
    "sheet_submit",
    "correction_request",
    "correction_decide",
    "result_compute",
    "result_publish",
    "result_revise",
    "case_close",
]
