"""The arithmetic of a reserves' appraisal, pure and database-free.

- Each ballot grades every reserve on the five dimensions 德能勤绩廉 (the grades of the team
  appraisal: 优秀/称职/基本称职/不称职). There is no separate overall grade.
- A reserve's score is the share of all its marks (ballots × 5) that are 优秀 or 称职.
- The weakest are flagged (低于下限): a score strictly below
  `settings.ZUZHI_RESERVE_APPRAISAL_PASS_SHARE` (an exact fraction, default "2/3"); exactly
  2/3 passes. A flag proposes exit; the township decides each outcome itself.
- Ranks: by score, highest first; equal scores share a rank (1, 2, 2, 4).
Everything is decided on Fractions; the score shown is rounded half up to 4 decimals.
"""

from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings

from zuzhi.team_appraisal.models import BALLOT_GRADES, Dimension
from zuzhi.team_appraisal.rules import APPROVING


def blank_counts() -> dict[str, dict[str, int]]:
    return {d: {g: 0 for g in BALLOT_GRADES} for d in Dimension.values}


@dataclass(frozen=True)
class Tally:
    """One reserve's counts and score."""

    counts: dict[str, dict[str, int]]
    ballots: int
    approving: int
    marks: int

    @property
    def score(self) -> Fraction:
        return Fraction(self.approving, self.marks) if self.marks else Fraction(0)

    def flagged(self, threshold: Fraction) -> bool:
        return self.score < threshold


def tally(counts: dict[str, dict[str, int]], ballots: int) -> Tally:
    approving = sum(counts[d][g] for d in Dimension.values for g in APPROVING)
    return Tally(counts, ballots, approving, ballots * len(Dimension.values))


def pass_share() -> Fraction:
    return Fraction(str(settings.ZUZHI_RESERVE_APPRAISAL_PASS_SHARE))


def ranks(scores: list[Fraction]) -> list[int]:
    """Competition ranks of `scores`, in their order: 1 for the highest, ties sharing."""
    return [1 + sum(1 for other in scores if other > s) for s in scores]
