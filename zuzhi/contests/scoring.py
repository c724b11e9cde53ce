"""Scoring arithmetic of the contest engine (计分规则), pure and database-free.

Every score is a Decimal kept to 2 decimals, rounded half up, as the county's score sheets are.
Stage scores are on a 0–100 scale before they are weighted, so weights read as percentages.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MIN_JUDGES_FOR_TRIM = 5


class ScoringError(ValueError):
    """A rule of the scoring is broken; the message is Chinese and names the rule."""


def q2(value: Decimal | int) -> Decimal:
    """Two decimals, half up (四舍五入保留两位小数)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def check_weights(weights: Iterable[Decimal], *, what: str) -> None:
    total = sum((Decimal(w) for w in weights), Decimal(0))
    if total != HUNDRED:
        raise ScoringError(f"{what}的权重合计应为 100%，现为 {total.normalize():f}%。")


def judges_mean(scores: Sequence[Decimal], *, trimmed: bool) -> Decimal:
    """The panel's score for one entrant: the mean, or with one highest and one lowest dropped
    (去掉一个最高分和一个最低分; one copy each, even when several judges gave that score)."""
    if not scores:
        raise ScoringError("还没有评委打分。")
    values = sorted(Decimal(s) for s in scores)
    if trimmed:
        if len(values) < MIN_JUDGES_FOR_TRIM:
            raise ScoringError(
                f"去掉最高分和最低分需要至少 {MIN_JUDGES_FOR_TRIM} 位评委打分，现有 {len(values)} 位。"
            )
        values = values[1:-1]
    return q2(sum(values, Decimal(0)) / len(values))


def panel_score(
    sheets: Sequence[dict[int, Decimal]], *, trimmed: bool, per_criterion: bool
) -> Decimal:
    """One entrant's panel score from each judge's sheet {criterion id: score}.

    Trimming per criterion drops the extremes of each criterion separately, then adds the
    criterion means; trimming on the total drops the judges with the highest and lowest totals.
    """
    if not sheets:
        raise ScoringError("还没有评委打分。")
    if per_criterion:
        criteria = sorted({c for sheet in sheets for c in sheet})
        return q2(
            sum(
                (judges_mean([s[c] for s in sheets if c in s], trimmed=trimmed) for c in criteria),
                Decimal(0),
            )
        )
    return judges_mean([sum(s.values(), Decimal(0)) for s in sheets], trimmed=trimmed)


def rank_positions(values: dict, *, higher_is_better: bool = True) -> dict:
    """Competition ranking (1, 2, 2, 4): equal values share the better rank."""
    ordered = sorted(values.values(), reverse=higher_is_better)
    first_index: dict = {}
    for i, v in enumerate(ordered):
        first_index.setdefault(v, i + 1)
    return {key: first_index[v] for key, v in values.items()}


def vote_scores(counts: dict, *, method: str, rank_points: int = 0) -> dict:
    """A public vote's 0–100 stage scores from the vote counts (投票折算).

    share: the entrant's share of all votes; rank: 1st = N points, 2nd = N−1, … (ties share the
    better place), N points being the full 100, so with N = 30 and a 30 % weight the first place
    adds exactly 30 to the final score and the second exactly 29, as the county rules write it.
    The scores are therefore not rounded here (29/30 of 100 is kept to 28 digits, not 96.67):
    the final score is rounded once.
    """
    if method == "share":
        total = sum(counts.values())
        return {k: Decimal(c) * HUNDRED / total if total else Decimal(0) for k, c in counts.items()}
    if method == "rank":
        if rank_points <= 0:
            raise ScoringError("按名次折算须设定第一名的分值 N（大于 0）。")
        ranks = rank_positions(counts)
        return {
            k: Decimal(max(0, rank_points - r + 1)) * HUNDRED / Decimal(rank_points)
            for k, r in ranks.items()
        }
    raise ScoringError(f"未知的投票折算方法“{method}”。")


@dataclass(slots=True)
class Standing:
    """One entrant's place in a result (名次) and why, when ties had to be broken or shared."""

    key: object
    final: Decimal
    rank: int = 0
    note: str = ""
    tiebreak: tuple = field(default_factory=tuple)


def rank_standings(
    finals: dict,
    *,
    tiebreak: dict | None = None,
    tiebreak_names: Sequence[str] = (),
    display: Callable[[object], str] = str,
) -> list[Standing]:
    """Order entrants by final score (already rounded: Decimals, or integers of hundredths,
    which sort faster); equal finals are separated by the tie-break scores in order (e.g. the
    judges' stage first), and share a place only if those are equal too. `display` writes a
    final in the explanations."""
    tiebreak = tiebreak or {}
    empty = ()
    rows = [Standing(k, v, 0, "", tiebreak.get(k, empty)) for k, v in finals.items()]
    rows.sort(key=_order, reverse=True)
    for i, row in enumerate(rows):
        prev = rows[i - 1] if i else None
        if prev is not None and prev.final == row.final and prev.tiebreak == row.tiebreak:
            row.rank = prev.rank
        else:
            row.rank = i + 1
    # Rows with equal finals sit next to each other; each is explained against its neighbours
    # in that run only, so a county of many ties costs linear time.
    start = 0
    while start < len(rows):
        end = start
        while end + 1 < len(rows) and rows[end + 1].final == rows[start].final:
            end += 1
        if end > start:
            run = rows[start : end + 1]
            for k, row in enumerate(run):
                neighbours = [run[n] for n in (k - 1, k + 1) if 0 <= n < len(run)]
                if any(o.rank == row.rank for o in neighbours):
                    row.note = (
                        f"总分 {display(row.final)} 相同，比较各项得分后仍相同，"
                        f"并列第 {row.rank} 名。"
                    )
                else:
                    decided = _first_difference(row, neighbours)
                    name = tiebreak_names[decided] if decided < len(tiebreak_names) else "分项得分"
                    row.note = (
                        f"总分 {display(row.final)} 与其他参评对象相同，"
                        f"按“{name}”得分排定第 {row.rank} 名。"
                    )
        start = end + 1
    return rows


def _order(row: Standing) -> tuple:
    return row.final, row.tiebreak


def _first_difference(row: Standing, others: list[Standing]) -> int:
    """Index of the deepest tie-break score needed to separate `row` from its tied neighbours."""
    index = 0
    for other in others:
        for i, (a, b) in enumerate(zip(row.tiebreak, other.tiebreak, strict=False)):
            if a != b:
                index = max(index, i)
                break
    return index
