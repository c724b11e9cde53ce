"""Standings (成绩与名次): every stage's scores, the final, places with ties explained, tiers and
lists. The indicator scores are computed in SQL, the fast twin of the readable rule in
`contests.scoring` (`indicator_stage_scores`), which the tests hold it to.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db import connection, transaction

from zuzhi.core.bulk import older_objects_frozen

from .. import scoring
from ..models import (
    Adjustment,
    Aggregation,
    Contest,
    DecisionStatus,
    DirectScore,
    EdgeTies,
    Indicator,
    IndicatorValue,
    ListMark,
    ScoreSheet,
    Stage,
    StageKind,
    TrimOn,
)
from ..rules import MAX_PROBLEMS
from ..voting.selectors import vote_counts


@dataclass
class StageResult:
    scores: dict[int, Decimal] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # The same scores as integer hundredths, when they are exactly that (the indicator
    # stage): large contests then total and rank without Decimal arithmetic.
    hundredths: dict[int, int] | None = None
    # An indicator stage's top-level indicators in tie-break order (heaviest first) and each
    # entrant's own scores on them in hundredths: they separate equal totals when the stage
    # is the contest's only one (`scoring.indicator_tiebreak` is the readable rule).
    top_names: list[str] = field(default_factory=list)
    top_scores: dict[int, tuple[int, ...]] = field(default_factory=dict)


class EntrantNames(Mapping):
    """A contest's entrants, id → name (参评对象). The ids are read at once; the names only
    when a message needs one, which a large contest with complete data never does."""

    def __init__(self, contest: Contest):
        self.contest = contest
        self.ids = list(contest.entrants.values_list("pk", flat=True))
        self.known = set(self.ids)

    @cached_property
    def names(self) -> dict[int, str]:
        return dict(self.contest.entrants.values_list("pk", "name"))

    def __getitem__(self, pk: int) -> str:
        if pk not in self.known:
            raise KeyError(pk)
        return self.names[pk]

    def __iter__(self):
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, pk) -> bool:
        return pk in self.known


@dataclass
class Standings:
    """A contest's ranking (名次): `places` in rank order, or the `problems` that prevent it.
    The result rows to store are formatted from the places when first asked for."""

    problems: list[str]
    stages: list[Stage]
    places: list[scoring.Standing] = field(default_factory=list)
    row_of: Callable[[scoring.Standing], dict] | None = None

    @cached_property
    def rows(self) -> list[dict]:
        if self.row_of is None:
            return []
        with older_objects_frozen():
            return [self.row_of(place) for place in self.places]


# Leaf scores are integers of 1/100 point computed in the database from the values' integer
# ten-thousandths: exact integer arithmetic with half-up rounding, the same on SQLite and
# PostgreSQL. Each leaf's parameters are written into the statement as integer literals, the
# value rows are read in one pass, and one row per entrant comes back.
FULL = 100 * 100  # 100.00 points in hundredths
VALUE_SCALE = 10_000
WEIGHT_SCALE = 10_000  # a weight of 12.5 % is 1250 ten-thousandths of its parent


def _half_up(num: int | str, den: int | str, *, signed: bool) -> str:
    """SQL for num / den rounded half away from zero (den > 0). Integer division truncates
    toward zero in both databases, so a numerator that may be negative is handled apart.
    Constant factors are multiplied out here: PostgreSQL types a small literal as a 32-bit
    integer, and 2 × a large one would overflow there."""
    twice = str(2 * den) if isinstance(den, int) else f"(2 * {den})"
    twice_num = str(2 * num) if isinstance(num, int) else f"2 * {num}"
    plain = f"({twice_num} + {den}) / {twice}"
    if not signed:
        return plain
    return f"(CASE WHEN {num} >= 0 THEN {plain} ELSE -((2 * (-{num}) + {den}) / {twice}) END)"


def _leaf_score_sql(leaf: Indicator, lo: int, hi: int, n: int) -> str:
    """SQL for one leaf's capped score in hundredths, from the row's `scaled` value (a 64-bit
    integer, so every product with it is 64-bit); a rank leaf reads `c`, the number of values
    at or below the row's (counting itself), and `r`, the row's rank from the lowest."""
    higher = leaf.direction == "higher"
    if leaf.method == "raw":
        score = _half_up("scaled", VALUE_SCALE // 100, signed=lo < 0)
    elif leaf.method == "minmax":
        gap = f"(scaled - {lo})" if higher else f"({hi} - scaled)"
        score = str(FULL) if hi == lo else _half_up(f"({gap} * {FULL})", hi - lo, signed=False)
    elif leaf.method == "rank":
        # Entrants placed below this one: those with a lower value when higher is better
        # (c - 1), a higher one when lower is better (n - r); ties share the better place.
        below = "(c - 1)" if higher else f"({n} - r)"
        score = str(FULL) if n == 1 else _half_up(f"({below} * {FULL})", n - 1, signed=False)
    else:
        target = int(leaf.target * VALUE_SCALE)
        if higher:
            score = _half_up(f"(scaled * {FULL})", target, signed=lo < 0)
        else:
            # Lower is better: at or below zero earns full marks (nothing to divide by).
            score = (
                f"(CASE WHEN scaled <= 0 THEN {FULL} "
                f"ELSE {_half_up(target * FULL, 'scaled', signed=False)} END)"
            )
    if leaf.cap is None:
        return score
    # Between 0 and the cap (itself 0–1000), the score computed once: SQLite's scalar MIN and
    # MAX are PostgreSQL's LEAST and GREATEST.
    low, high = ("GREATEST", "LEAST") if connection.vendor == "postgresql" else ("MAX", "MIN")
    return f"{high}({low}({score}, 0), {int(leaf.cap * 100)})"


def _largest_score(leaf: Indicator, lo: int, hi: int, n: int) -> int:
    """An upper bound of |score| in hundredths, to keep the weighted sum inside 64 bits."""
    if leaf.cap is not None:
        return int(leaf.cap * 100)
    largest = max(abs(lo), abs(hi))
    if leaf.method == "raw":
        return largest // 100 + 1
    if leaf.method == "target" and leaf.target:
        target = int(leaf.target * VALUE_SCALE)
        return (largest * FULL // target + 1) if leaf.direction == "higher" else target * FULL
    return FULL


def indicator_stage_scores(stage: Stage, entrants: dict[int, str]) -> StageResult:
    """Each entrant's indicator score: leaves normalized across entrants (原始分, 极差, 名次,
    目标完成率, with caps) and kept to 2 decimals, half up, as the published score table shows
    them; then weighted up the tree (weights are shares of siblings) exactly into a 0–100
    stage score rounded half up once. Anyone can recompute a total from the table. Each
    top-level indicator's own score comes from the same pass, for breaking ties."""
    result = StageResult()
    nodes = {n.pk: n for n in stage.indicators.all()}
    parents = {n.parent_id for n in nodes.values()}
    leaves = [n for n in nodes.values() if n.pk not in parents]
    # Heaviest first, equal weights in their configured order (the nodes' order; stable sort).
    tops = sorted((n for n in nodes.values() if n.parent_id is None), key=lambda n: -n.weight)
    # Each leaf's weights below its top-level indicator (`factor`) and its top (`top_of`): the
    # SQL sums every top's own score, and the stage score is the tops weighted by their own.
    depth, factor, top_of = {}, {}, {}
    for leaf in leaves:
        node, product, levels = leaf, 1, 0
        while node.parent_id is not None:
            product *= int(node.weight * 100)
            levels += 1
            node = nodes[node.parent_id]
        depth[leaf.pk], factor[leaf.pk], top_of[leaf.pk] = levels + 1, product, node
    deepest = max(depth.values(), default=1)
    for leaf in leaves:
        factor[leaf.pk] *= WEIGHT_SCALE ** (deepest - depth[leaf.pk])
    table = IndicatorValue._meta.db_table
    # Each leaf's lowest and highest value, read from the ends of the covering index (not a
    # pass over the values). That every entrant has every value is checked by the scoring
    # pass itself, which counts each entrant's values.
    stats: dict[int, tuple[int, int, int]] = {}
    if leaves:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT "
                + ", ".join(
                    f"(SELECT {end}(scaled) FROM {table} WHERE indicator_id = {leaf.pk})"
                    for leaf in leaves
                    for end in ("MIN", "MAX")
                )
            )
            ends = cursor.fetchone()
        for i, leaf in enumerate(leaves):
            if ends[2 * i] is not None:
                stats[leaf.pk] = (ends[2 * i], ends[2 * i + 1], len(entrants))
    for leaf in leaves:
        if leaf.pk not in stats:
            result.problems.extend(_missing_values(leaf, entrants))
        if leaf.method == "target" and not leaf.target:
            result.problems.append(f"指标“{leaf.name}”按目标值计分，须设定大于 0 的目标值。")
    if (
        not result.problems
        and sum(
            _largest_score(leaf, *stats[leaf.pk])
            * factor[leaf.pk]
            * max(1, int(top_of[leaf.pk].weight * 100))
            for leaf in leaves
        )
        >= 2**62
    ):
        result.problems.append(
            f"“{stage.name}”的指标数值过大，请为原始分或目标完成率指标设封顶分。"
        )
    if result.problems or not leaves:
        return result

    def weighted(group: list[Indicator]) -> str:
        """One column per top-level indicator: its own score, scaled, from `group`'s leaves."""
        columns = []
        for i, top in enumerate(tops):
            # 64-bit from the start: PostgreSQL multiplies two small literals (a leaf whose
            # values are all equal scores a constant) as 32-bit integers and overflows.
            arms = " ".join(
                f"WHEN {leaf.pk} THEN {_leaf_score_sql(leaf, *stats[leaf.pk])} "
                f"* CAST({factor[leaf.pk]} AS BIGINT)"
                for leaf in group
                if top_of[leaf.pk] is top
            )
            columns.append(f"SUM(CASE indicator_id {arms} END) AS t{i}" if arms else f"0 AS t{i}")
        return ", ".join(columns)

    def ids_of(group: list[Indicator]) -> str:
        return ", ".join(str(leaf.pk) for leaf in group)

    plain = [leaf for leaf in leaves if leaf.method != "rank"]
    ranked = [leaf for leaf in leaves if leaf.method == "rank"]
    parts = []
    if plain:
        parts.append(
            f"SELECT entrant_id AS e, {weighted(plain)}, COUNT(*) AS k FROM {table} "
            f"WHERE indicator_id IN ({ids_of(plain)}) GROUP BY entrant_id"
        )
    if ranked:
        # One window over the rank leaves in the covering index's order (indicator, value
        # ascending), so nothing is sorted; each direction reads its place from it.
        parts.append(
            f"SELECT entrant_id AS e, {weighted(ranked)}, COUNT(*) AS k "
            "FROM (SELECT entrant_id, "
            "indicator_id, scaled, COUNT(*) OVER w AS c, RANK() OVER w AS r "
            f"FROM {table} WHERE indicator_id IN ({ids_of(ranked)}) "
            "WINDOW w AS (PARTITION BY indicator_id ORDER BY scaled)) x GROUP BY entrant_id"
        )
    t = [f"t{i}" for i in range(len(tops))]
    if len(parts) > 1:
        sums = ", ".join(f"SUM({c}) AS {c}" for c in t)
        parts = [f"SELECT e, {sums}, SUM(k) AS k FROM ({' UNION ALL '.join(parts)}) u GROUP BY e"]
    # The weights were multiplied in; the stage score (the tops by their weights) and each
    # top's own score are rounded once, to hundredths.
    weighted_tops = " + ".join(
        f"{int(top.weight * 100)} * {c}" for top, c in zip(tops, t, strict=True)
    )
    stage_score = _half_up(f"({weighted_tops})", WEIGHT_SCALE**deepest, signed=True)
    top_scores = ", ".join(_half_up(c, WEIGHT_SCALE ** (deepest - 1), signed=True) for c in t)
    as_bigint = ", ".join(f"CAST({c} AS BIGINT) AS {c}" for c in t)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Grouping 150,000 entrants needs more than the default 4 MB of sort and hash
            # memory, or PostgreSQL spills to disk; for this transaction only.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        # (PostgreSQL sums 64-bit integers as numeric: back to an integer before dividing.)
        cursor.execute(
            f"SELECT e, {stage_score}, k, {top_scores} FROM "
            f"(SELECT e, {as_bigint}, k FROM ({parts[0]}) p) t"
        )
        scored = cursor.fetchall()
    if len(scored) < len(entrants) or min((r[2] for r in scored), default=0) < len(leaves):
        for leaf in leaves:
            result.problems.extend(_missing_values(leaf, entrants))
        return result
    result.hundredths = {row[0]: row[1] for row in scored}
    result.top_names = [top.name for top in tops]
    result.top_scores = {row[0]: row[3:] for row in scored}
    as_decimal = _Memo(lambda h: Decimal(h).scaleb(-2))
    result.scores = {e: as_decimal[h] for e, h in result.hundredths.items()}
    return result


def _missing_values(leaf: Indicator, entrants: Mapping[int, str]) -> list[str]:
    have = set(leaf.values.values_list("entrant_id", flat=True))
    missing = [e for e in entrants if e not in have]
    return [f"“{entrants[e]}”缺少指标“{leaf.name}”的数据。" for e in missing[:MAX_PROBLEMS]]


def judges_stage_scores(stage: Stage, entrants: dict[int, str]) -> StageResult:
    """The panel's score for each entrant on 0–100: the configured mean of the judges' sheets,
    over the criteria's full marks."""
    result = StageResult()
    full = sum((c.max_score for c in stage.criteria.all()), Decimal(0))
    seats = stage.seats.count()
    sheets: dict[int, list[dict[int, Decimal]]] = defaultdict(list)
    for entrant_id, marks in ScoreSheet.objects.filter(stage=stage).values_list(
        "entrant_id", "marks"
    ):
        sheets[entrant_id].append({int(k): Decimal(v) for k, v in marks.items()})
    for e, name in entrants.items():
        if len(sheets[e]) < seats:
            result.problems.append(
                f"“{name}”在“{stage.name}”环节还有 {seats - len(sheets[e])} 位评委未评分。"
            )
            continue
        try:
            panel = scoring.panel_score(
                sheets[e],
                trimmed=stage.aggregation == Aggregation.TRIMMED,
                per_criterion=stage.trim_on == TrimOn.CRITERION,
            )
        except scoring.ScoringError as exc:
            result.problems.append(f"“{name}”在“{stage.name}”环节：{exc}")
            continue
        result.scores[e] = scoring.q2(panel / full * scoring.HUNDRED) if full else panel
    return result


def vote_stage_scores(stage: Stage, entrants: dict[int, str]) -> StageResult:
    counts = vote_counts(stage)
    try:
        scores = scoring.vote_scores(
            {e: counts.get(e, 0) for e in entrants},
            method=stage.vote_method,
            rank_points=stage.rank_points,
        )
    except scoring.ScoringError as exc:
        return StageResult(problems=[f"“{stage.name}”环节：{exc}"])
    return StageResult(scores=scores)


def direct_stage_scores(stage: Stage, entrants: dict[int, str]) -> StageResult:
    """Public report: the entered score. Appraisal: the rater groups' scores by their weights."""
    result = StageResult()
    groups = list(stage.rater_groups.all())
    entered: dict[tuple[int, int | None], Decimal] = {
        (e, g): s
        for e, g, s in DirectScore.objects.filter(stage=stage).values_list(
            "entrant_id", "rater_group_id", "score"
        )
    }
    for e, name in entrants.items():
        if stage.kind == StageKind.PUBLIC_REPORT:
            if (e, None) in entered:
                result.scores[e] = entered[(e, None)]
            else:
                result.problems.append(f"“{name}”缺少“{stage.name}”的得分。")
            continue
        missing = [g.name for g in groups if (e, g.pk) not in entered]
        if missing:
            result.problems.append(f"“{name}”缺少“{stage.name}”中{'、'.join(missing)}的测评得分。")
            continue
        result.scores[e] = scoring.q2(
            sum((g.weight * entered[(e, g.pk)] / scoring.HUNDRED for g in groups), Decimal(0))
        )
    return result


STAGE_SCORERS = {
    StageKind.INDICATORS: indicator_stage_scores,
    StageKind.JUDGES: judges_stage_scores,
    StageKind.PUBLIC_VOTE: vote_stage_scores,
    StageKind.PUBLIC_REPORT: direct_stage_scores,
    StageKind.APPRAISAL: direct_stage_scores,
}


def adjustment_totals(contest: Contest) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for item in Adjustment.objects.filter(contest=contest, status=DecisionStatus.APPROVED):
        totals[item.entrant_id] += item.signed_amount
    return totals


def _points(hundredths: int) -> str:
    """Integer hundredths as points with 2 decimals: 8512 → "85.12", -5 → "-0.05"."""
    sign, whole = ("-", -hundredths) if hundredths < 0 else ("", hundredths)
    return f"{sign}{whole // 100}.{whole % 100:02d}"


class _Memo(dict):
    """A function's results by argument, computed on first use."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, key):
        self[key] = value = self.function(key)
        return value


def _tier(tiers: list[tuple[str, int]], final: int) -> str:
    """The first tier (highest minimum first) whose minimum the final score reaches (等次)."""
    for name, low in tiers:
        if final >= low:
            return name
    return ""


def contest_standings(*, contest: Contest) -> Standings:
    """Every entrant's stage scores, final score (weighted stages plus approved bonus and
    penalty items), place, tier and list, or the reasons they cannot be computed yet."""
    with older_objects_frozen():  # a county-wide contest ranks 150,000 entrants
        return _standings(contest)


def _standings(contest: Contest) -> Standings:
    entrants = EntrantNames(contest)
    stages = list(contest.stages.all())
    problems: list[str] = []
    if not entrants:
        problems.append("还没有参评对象。")
    try:
        scoring.check_weights([s.weight for s in stages], what="各计分环节")
    except scoring.ScoringError as exc:
        problems.append(str(exc))
    hundredths: dict[int, dict[int, int]] = {}
    for stage in stages:
        outcome = STAGE_SCORERS[stage.kind](stage, entrants)
        if len(stages) == 1:
            only = outcome
        problems.extend(outcome.problems)
        hundredths[stage.pk] = outcome.hundredths or {
            e: int(scoring.q2(v).scaleb(2)) for e, v in outcome.scores.items()
        }
    if problems:
        more = len(problems) - MAX_PROBLEMS
        shown = problems[:MAX_PROBLEMS] + ([f"……另有 {more} 处问题。"] if more > 0 else [])
        return Standings(problems=shown, stages=stages)
    # A published row adds up from its own figures (issue #11 §6): every stage score is shown
    # to 2 decimals, half up (votes too), and the final is computed from the shown figures:
    # integer arithmetic on hundredths, weights in hundredths of a percent, one half-up
    # rounding (`scoring.weighted_final` is the readable rule). Adjustments are 2 decimals.
    adjustments = adjustment_totals(contest)
    weights = [(int(s.weight * 100), hundredths[s.pk]) for s in stages]
    finals = {}
    if len(weights) == 1:
        finals = dict(weights[0][1])  # one stage at 100 %: its score is the total
    else:
        for e in entrants:
            total = 0
            for weight, scores in weights:
                total += weight * scores[e]
            rounded = (2 * abs(total) + 10_000) // 20_000
            finals[e] = rounded if total >= 0 else -rounded
    for e, amount in adjustments.items():
        finals[e] += int(scoring.q2(amount).scaleb(2))
    # Scores repeat across a large contest (there are only 10,001 of them from 0 to 100), so
    # each is turned into text, a Decimal or a tier once.
    points = _Memo(_points)
    decimals = _Memo(lambda h: Decimal(h).scaleb(-2))
    # Ties on the final score are broken by the stage scores in the contest's stage order,
    # in a one-stage contest then by its top-level indicators, heaviest first (issue #11 §6);
    # then shared. The note names the stage or indicator that decided.
    in_order = sorted(stages, key=lambda s: (s.order, s.pk))
    names = [s.name for s in in_order]
    breakers = [hundredths[s.pk] for s in in_order]
    if len(stages) == 1 and not adjustments:
        # Equal finals have equal stage scores: only the indicators (if any) can separate them.
        names, tiebreak = only.top_names, only.top_scores or None
    elif len(stages) == 1:
        names += only.top_names
        tiebreak = {e: (breakers[0][e], *only.top_scores.get(e, ())) for e in entrants}
    else:
        tiebreak = {e: tuple(scores[e] for scores in breakers) for e in entrants}
    standings = scoring.rank_standings(
        finals, tiebreak=tiebreak, tiebreak_names=names, display=points.__getitem__
    )
    tiers = sorted(
        ((t["name"], int(Decimal(str(t["min"])).scaleb(2))) for t in contest.tiers or []),
        key=lambda t: t[1],
        reverse=True,
    )
    tier_of = _Memo(lambda final: _tier(tiers, final))
    # Each rank's first and last position; standings are in rank order.
    first_index: dict[int, int] = {}
    last_index: dict[int, int] = {}
    for i, place in enumerate(standings):
        first_index.setdefault(place.rank, i)
        last_index[place.rank] = i
    red, black, top = contest.red_list_size, contest.black_list_size, contest.top_n
    all_in = contest.edge_ties != EdgeTies.NONE_IN
    bottom = len(standings) - 1

    def lists_of(rank: int) -> tuple[str, bool, str]:
        first, last = first_index[rank], last_index[rank]
        from_bottom = bottom - last
        if (
            (not top or first >= top)
            and (not red or first >= red)
            and (not black or from_bottom >= black)
        ):
            return ListMark.NONE, False, ""  # nowhere near a list's line: most places
        selected, top_note = scoring.on_list(
            first, last, top, rank=rank, all_in=all_in, label="入选名额"
        )
        is_red, red_note = scoring.on_list(first, last, red, rank=rank, all_in=all_in, label="红榜")
        is_black, black_note = scoring.on_list(
            from_bottom, bottom - first, black, rank=rank, all_in=all_in, label="黑榜"
        )
        if is_red:
            return ListMark.RED, selected, top_note + red_note
        mark = ListMark.BLACK if is_black else ListMark.NONE
        return mark, selected, top_note + red_note + black_note

    lists = _Memo(lists_of)
    keys = [(str(s.pk), hundredths[s.pk]) for s in stages]
    no_adjustment = scoring.q2(0)

    def row_of(standing: scoring.Standing) -> dict:
        e = standing.key
        mark, selected, edge = lists[standing.rank]
        adjustment = adjustments.get(e)
        return {
            "entrant_id": e,
            "stage_scores": {key: points[scores[e]] for key, scores in keys},
            "adjustment": no_adjustment if adjustment is None else scoring.q2(adjustment),
            "final": decimals[standing.final],
            "rank": standing.rank,
            "tier": tier_of[standing.final],
            "selected": selected,
            "list_mark": mark,
            "note": standing.note + edge if edge else standing.note,
        }

    return Standings(problems=[], stages=stages, places=standings, row_of=row_of)
