"""The rules of assessment and promotion rounds as pure functions (no database).

- 优秀 cap (公务员考核规定: 优秀等次人数一般掌握在参加年度考核人数的 20% 以内): the round's
  cadres × `ZUZHI_EXCELLENT_SHARE`, rounded DOWN to whole people. So a unit of fewer than 5
  cadres has no 优秀 place in its own round (4 × 20 % = 0.8 → 0); 5 gives one. We found no
  national rule granting small units a place; where a county pools them, the cadre section
  opens the round on the parent unit's cadres instead (not automated here).
- Grades that bar promotion: any grade of `ZUZHI_PROMOTION_BARRING_GRADES` (基本称职, 不称职
  by default) in the assessment years counted for the minimum years: the N calendar years
  before the cutoff's year, N the minimum years of the target rank. A year with no grade
  recorded neither bars nor scores (the list shows it).
- Record score (not seniority): the points of each grade in those years
  (`ZUZHI_PROMOTION_GRADE_POINTS`, 优秀 2 / 称职 1 by default); years in rank only break ties.
"""

import math
from decimal import Decimal
from fractions import Fraction

from django.conf import settings

from zuzhi.cadres.models import AssessmentResult


def excellent_limit(*, cadres: int, share: Decimal) -> int:
    """How many of `cadres` may be graded 优秀: the share, rounded down (exact fractions)."""
    return math.floor(cadres * Fraction(str(share)))


def excellent_refusal(*, cadres: int, share: Decimal, excellent: int) -> str | None:
    limit = excellent_limit(cadres=cadres, share=share)
    if excellent <= limit:
        return None
    return (
        f"优秀等次不能超过参加考核人数的 {share:.0%}（公务员考核规定）：本轮 {cadres} 人，"
        f"优秀最多 {limit} 名（向下取整），提交后将有 {excellent} 名。"
    )


def window_years(*, cutoff_year: int, minimum_years: int) -> range:
    """The assessment years counted for a promotion whose years run to a cutoff in
    `cutoff_year`: the `minimum_years` calendar years before it."""
    return range(cutoff_year - minimum_years, cutoff_year)


def barring_grades() -> set[str]:
    return set(settings.ZUZHI_PROMOTION_BARRING_GRADES)


def grade_points() -> dict[str, int]:
    return dict(settings.ZUZHI_PROMOTION_GRADE_POINTS)


def grade_refusal(grades: dict[int, str]) -> str | None:
    """Why the grades of the counted years (year → result) bar promotion; None when not."""
    barred = barring_grades()
    bad = sorted((y, r) for y, r in grades.items() if r in barred)
    if not bad:
        return None
    listed = "、".join(f"{y} 年{AssessmentResult(r).label}" for y, r in bad)
    return f"任职年限内年度考核有{listed}，本轮不列入晋升人选。"


def record_score(grades: dict[int, str]) -> int:
    points = grade_points()
    return sum(points.get(r, 0) for r in grades.values())
