"""The arithmetic of a democratic appraisal, pure and database-free.

- Weights: the rater groups' weights (percent) must sum to exactly 100.
- Shares per cadre, from the overall grade (综合评价) of each ballot: within each rater group,
  the share of ballots grading the cadre 优秀 or 称职 (approval) and the share grading them
  不称职 (unfit); then the group shares weighted by the groups' weights. A group that cast no
  ballot is left out and the weights of the others are renormalised to sum to 100 %
  (30/40/30 with the last group silent weighs 3/7 and 4/7). The grades of 德能勤绩廉 are
  counted and shown, not weighted.
- Thresholds (DOMAIN.md §8), settings read as exact fractions ("2/3"):
  `ZUZHI_APPRAISAL_APPROVAL_MIN` — approval strictly below it calls for admonishment or
  adjustment (exactly 2/3 is not below); `ZUZHI_APPRAISAL_UNFIT_MAX` — unfit strictly above
  it calls for removal (exactly 1/3 is not above). Everything is computed in Fractions; the
  shares stored and shown are rounded half up to 4 decimals after the flags are decided.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings

from zuzhi.cadres.models import AssessmentResult

HUNDRED = Decimal(100)
SHARE_PLACES = Decimal("0.0001")
APPROVING = (AssessmentResult.EXCELLENT, AssessmentResult.COMPETENT)
UNFIT = AssessmentResult.INCOMPETENT


def weights_refusal(weights: Iterable[Decimal]) -> str | None:
    total = sum((Decimal(w) for w in weights), Decimal(0))
    if total == HUNDRED:
        return None
    return f"各测评主体的权重合计应为 100%，现为 {total.normalize():f}%。"


@dataclass(frozen=True)
class GroupTally:
    """One rater group's overall grades of one cadre."""

    weight: Decimal
    ballots: int
    approving: int
    unfit: int


@dataclass(frozen=True)
class Shares:
    approval: Fraction
    unfit: Fraction


def weighted_shares(groups: Iterable[GroupTally]) -> Shares:
    """The weighted shares; groups without ballots left out, the rest renormalised."""
    voting = [g for g in groups if g.ballots]
    total = sum((Fraction(g.weight) for g in voting), Fraction(0))
    if not voting or total == 0:
        return Shares(Fraction(0), Fraction(0))
    approval = sum(Fraction(g.weight) * Fraction(g.approving, g.ballots) for g in voting)
    unfit = sum(Fraction(g.weight) * Fraction(g.unfit, g.ballots) for g in voting)
    return Shares(approval / total, unfit / total)


def approval_min() -> Fraction:
    return Fraction(str(settings.ZUZHI_APPRAISAL_APPROVAL_MIN))


def unfit_max() -> Fraction:
    return Fraction(str(settings.ZUZHI_APPRAISAL_UNFIT_MAX))


def below_approval(share: Fraction) -> bool:
    """优秀+称职 below the minimum (2/3): admonish or adjust."""
    return share < approval_min()


def above_unfit(share: Fraction) -> bool:
    """不称职 above the maximum (1/3): removal."""
    return share > unfit_max()


def rounded(share: Fraction) -> Decimal:
    """A share as stored and shown: 4 decimals, half up."""
    return (Decimal(share.numerator) / Decimal(share.denominator)).quantize(
        SHARE_PLACES, rounding=ROUND_HALF_UP
    )
