"""Reads of the contest engine, one module per subject: what a user may see, data inputs, the
judges' board, result versions, and the standings (scores and places).
"""

from .contests import (
    contest_get,
    contest_list,
    contest_visible_q,
    eligible_organizations,
    entrant_get,
    entrant_list,
    is_judge_only,
    leaf_indicators,
)
from .inputs import (
    adjustment_get,
    adjustment_list,
    indicator_get,
    indicator_value_get,
    indicator_values,
)
from .judging import (
    BoardRow,
    board_stage_get,
    current_appearance,
    judge_sheet,
    judge_stage_get,
    judge_stages,
    judges_board,
    pending_corrections,
)
from .results import (
    case_list,
    published_version,
    result_rows,
    result_versions,
)
from .standings import (
    StageResult,
    Standings,
    adjustment_totals,
    contest_standings,
    direct_stage_scores,
    indicator_stage_scores,
    judges_stage_scores,
    vote_stage_scores,
)

__all__ = [
    "contest_visible_q",
    "contest_list",
    "contest_get",
    "is_judge_only",
    "entrant_list",
    "entrant_get",
    "leaf_indicators",
    "eligible_organizations",
    "indicator_get",
    "indicator_values",
    "indicator_value_get",
    "adjustment_list",
    "adjustment_get",
    "judge_stages",
    "judge_stage_get",
    "current_appearance",
    "BoardRow",
    "judges_board",
    "board_stage_get",
    "pending_corrections",
    "judge_sheet",
    "result_versions",
    "published_version",
    "result_rows",
    "case_list",
    "StageResult",
    "Standings",
    "indicator_stage_scores",
    "judges_stage_scores",
    "vote_stage_scores",
    "direct_stage_scores",
    "adjustment_totals",
    "contest_standings",
]
