"""Scoring arithmetic of the contest engine (计分规则), pure and database-free.

Every score is a Decimal kept to 2 decimals, rounded half up, as the county's score sheets are.
ROUNDING below is the one sentence the results page, the PDF and the README state: each figure
shown is rounded first and the next step uses the shown figure, so a published row adds up.
Stage scores are on a 0–100 scale before they are weighted, so weights read as percentages.
"""

from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from typing import NamedTuple

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MIN_JUDGES_FOR_TRIM = 5
ROUNDING = (
    "每个公布的分数（评分项平均分、环节得分、投票得分或得票率、总分）均四舍五入保留两位小数，"
    "下一步用保留后的分数计算，因此每行总分可由表中所列分数复算。"
)
TIE_BREAK = (
    "总分相同时，依次比较各环节得分（按环节顺序）；只有一个环节的指标考评，依次比较各一级指标得分"
    "（权重大的在前）；仍相同的并列，名次说明写明由哪一项排定。"
)


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
    criterion means, each already rounded to 2 decimals (as the score sheet shows them), and
    rounds the sum; trimming on the total drops the judges with the highest and lowest totals.
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
    """A public vote's 0–100 stage scores from the vote counts (投票折算), kept to 2 decimals.

    share: the entrant's share of all votes; rank: 1st = N points, 2nd = N−1, … (ties share the
    better place), N points being the full 100. Like every figure of a published row, the score
    is rounded half up to 2 decimals and the final is computed from the rounded figure, so a
    citizen can recompute the row from the table: with N = 30 the second place shows 96.67 and
    adds 96.67 × 30 % = 29.001, not exactly 29.
    """
    if method == "share":
        total = sum(counts.values())
        return {k: q2(Decimal(c) * HUNDRED / total) if total else q2(0) for k, c in counts.items()}
    if method == "rank":
        if rank_points <= 0:
            raise ScoringError("按名次折算须设定第一名的分值 N（大于 0）。")
        ranks = rank_positions(counts)
        return {
            k: q2(Decimal(max(0, rank_points - r + 1)) * HUNDRED / Decimal(rank_points))
            for k, r in ranks.items()
        }
    raise ScoringError(f"未知的投票折算方法“{method}”。")


# --- indicator stages: the readable rule ------------------------------------------------------
# The database computes indicator stages in integer SQL for speed
# (`contests.selectors.standings.indicator_stage_scores`); these functions are the rule that SQL
# is the twin of, written plainly in Decimals, and the tests hold the SQL to them.


def indicator_leaf_scores(
    values: dict,
    *,
    method: str,
    direction: str = "higher",
    target: Decimal | str | None = None,
    cap: Decimal | str | None = None,
) -> dict:
    """Every entrant's score on one leaf indicator (末级指标得分), from all entrants' values.

    - raw (原始分): the value itself;
    - minmax (极差标准化): (value − lowest) / (highest − lowest) × 100, or (highest − value) / … when
      lower is better; 100 for everyone when all values are equal;
    - rank (名次): (n − place) / (n − 1) × 100, places shared by equal values (1, 2, 2, 4); 100
      when there is one entrant;
    - target (目标完成率): value / target × 100, or target / value × 100 when lower is better (a
      value at or below 0 then earns 100).

    A cap (封顶) keeps the score between 0 and the cap. Each leaf score is then kept to 2
    decimals, half up, as the published score table shows it.
    """
    higher = direction == "higher"
    if method == "raw":
        scores = {k: Decimal(v) for k, v in values.items()}
    elif method == "minmax":
        low, high = min(values.values()), max(values.values())
        if high == low:
            scores = dict.fromkeys(values, HUNDRED)
        else:
            scores = {
                k: ((v - low) if higher else (high - v)) / (high - low) * HUNDRED
                for k, v in values.items()
            }
    elif method == "rank":
        n = len(values)
        places = rank_positions(values, higher_is_better=higher)
        scores = {
            k: HUNDRED if n == 1 else Decimal(n - place) / Decimal(n - 1) * HUNDRED
            for k, place in places.items()
        }
    elif method == "target":
        goal = Decimal(target)
        scores = {
            k: (v / goal * HUNDRED) if higher else (HUNDRED if v <= 0 else goal / v * HUNDRED)
            for k, v in values.items()
        }
    else:
        raise ScoringError(f"未知的指标计分方法“{method}”。")
    if cap is not None:
        scores = {k: max(Decimal(0), min(s, Decimal(cap))) for k, s in scores.items()}
    return {k: q2(s) for k, s in scores.items()}


def indicator_stage_scores(indicators: Sequence[dict], values: dict[str, dict]) -> dict:
    """An indicator stage's 0–100 score per entrant (指标得分): each leaf's score (above) times
    the weights on its path (each weight a percentage of its siblings), summed exactly and
    rounded half up once to 2 decimals. `indicators` is the configuration's tree (name,
    weight, method, direction, target, cap, children); `values` maps each leaf's name to
    {entrant: value}."""
    return {k: q2(s) for k, s in _weighted(indicators, Decimal(1), values).items()}


def _weighted(nodes: Sequence[dict], share: Decimal, values: dict[str, dict]) -> dict:
    """Σ share × weight % × score over `nodes`, per entrant, unrounded below the leaves."""
    totals: dict = {}
    for node in nodes:
        part = share * Decimal(node["weight"]) / HUNDRED
        if node.get("children"):
            scores = _weighted(node["children"], part, values)
        else:
            leaf = indicator_leaf_scores(
                values[node["name"]],
                method=node.get("method", "minmax"),
                direction=node.get("direction", "higher"),
                target=node.get("target"),
                cap=node.get("cap"),
            )
            scores = {k: part * s for k, s in leaf.items()}
        for k, s in scores.items():
            totals[k] = totals.get(k, Decimal(0)) + s
    return totals


def indicator_tiebreak(indicators: Sequence[dict], values: dict[str, dict]) -> tuple[list, dict]:
    """What separates equal totals in a one-stage indicator contest (issue #11 §6): the
    top-level indicators' own 0–100 scores (一级指标得分: a leaf's score, or its children's
    weighted sum rounded half up once to 2 decimals), the heaviest indicator first and equal
    weights in their configured order. Returns (names in that order, {entrant: scores})."""
    tops = sorted(indicators, key=lambda node: -Decimal(node["weight"]))  # stable
    columns = [_weighted([{**top, "weight": HUNDRED}], Decimal(1), values) for top in tops]
    entrants = columns[0] if columns else {}
    return [top["name"] for top in tops], {
        k: tuple(q2(column[k]) for column in columns) for k in entrants
    }


def weighted_final(stage_scores: Sequence[tuple[Decimal, Decimal]], adjustment=0) -> Decimal:
    """The final score (总分): Σ stage weight % × stage score, plus approved bonus and penalty
    items, rounded half up once to 2 decimals. The stage scores are the published ones (each
    already 2 decimals), so the row adds up. `stage_scores` is [(weight, score), …]."""
    total = Decimal(adjustment)
    for weight, score in stage_scores:
        total += Decimal(weight) * Decimal(score) / HUNDRED
    return q2(total)


def on_list(first: int, last: int, size: int | None, *, rank: int, all_in: bool, label: str):
    """Whether entrants tied at `rank`, holding positions first..last counted from the list's
    own end (0 is the best for 入选名额 and 红榜, the worst for 黑榜), are on a list of `size`,
    and the note the page shows when they straddle its line (名额线上的并列). By default every
    tied entrant is in and the list grows; a contest may say that nobody tied at the edge is.
    Returns (in, note)."""
    if not size or first >= size:
        return False, ""
    if last < size:
        return True, ""
    tied = f"{last - first + 1} 个参评对象并列第 {rank} 名，跨过{label}名额线（{size} 个）"
    if all_in:
        return True, f"{tied}，均列入，{label}增至 {last + 1} 个。"
    return False, f"{tied}，按本考评规定均不列入。"


class Standing(NamedTuple):
    """One entrant's place in a result (名次) and why, when ties had to be broken or shared.
    (A tuple: a county-wide contest has 150,000 of them.)"""

    key: object
    final: Decimal | int
    rank: int
    note: str
    tiebreak: tuple


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
    rows: list[Standing] = []
    # Sorting by the final alone compares plain numbers; only runs of equal finals (short,
    # even in a county of many ties) are then sorted by their tie-break tuples. Both sorts
    # are stable, so the order is that of one sort by (final, tie-break).
    for final, group in groupby(
        sorted(finals, key=finals.__getitem__, reverse=True), key=finals.__getitem__
    ):
        keys = list(group)
        place = len(rows) + 1
        if len(keys) == 1:
            rows.append(Standing(keys[0], final, place, "", tiebreak.get(keys[0], empty)))
            continue
        breaks = [tiebreak.get(k, empty) for k in keys]
        if breaks.count(breaks[0]) == len(breaks):
            # Equal in every score: one shared place, one explanation.
            note = _shared_place_note(display(final), place)
            rows.extend(
                [Standing(k, final, place, note, b) for k, b in zip(keys, breaks, strict=True)]
            )
            continue
        run = sorted(zip(keys, breaks, strict=True), key=_second, reverse=True)
        rows.extend(_place_run(run, final, place, tiebreak_names, display))
    return rows


def _shared_place_note(final: str, place: int) -> str:
    return f"总分 {final} 相同，比较各项得分后仍相同，并列第 {place} 名。"


def _second(pair: tuple) -> object:
    return pair[1]


def _place_run(
    run: list[tuple[object, tuple]],
    final,
    place: int,
    names: Sequence[str],
    display: Callable[[object], str],
) -> list[Standing]:
    """Places and explanations for entrants with equal finals, given as (key, tie-break)
    in order, `place` being the first's. Each is explained against its neighbours in the run
    only, so many ties cost linear time (in a county-wide contest nearly everyone is tied)."""
    # Between each entrant and the next: the first tie-break score that differs, or -1.
    # (The first score usually decides: it is tried before a call, for the 150,000-entrant case.)
    gaps = [
        -1 if a == b else 0 if a[0] != b[0] else _first_difference(a, b)
        for (_, a), (_, b) in zip(run, run[1:], strict=False)
    ]
    text = display(final)
    decided_by = [
        f"总分 {text} 与其他参评对象相同，按“{names[i] if i < len(names) else '分项得分'}”得分排定第 "
        for i in range(max(gaps, default=0) + 1)
    ]
    placed = []
    rank = place
    last = len(run) - 1
    for k, (key, breaks) in enumerate(run):
        before = gaps[k - 1] if k else 0
        after = gaps[k] if k < last else 0
        if before != -1:
            rank = place + k
        if before == -1 or after == -1:
            note = _shared_place_note(text, rank)
        else:
            # The deeper of the two comparisons is the one needed to place this entrant.
            note = f"{decided_by[max(before, after)]}{rank} 名。"
        placed.append(Standing(key, final, rank, note, breaks))
    return placed


def _first_difference(a: tuple, b: tuple) -> int:
    """Index of the first tie-break score where two entrants differ, -1 if none does."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return -1
