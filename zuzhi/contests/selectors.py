"""Reads of the contest engine: what a user may see, scores, standings, the live board."""

import datetime
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import CharField, Count, Func, Q, QuerySet
from django.db.models.functions import TruncMinute
from django.http import Http404
from django.urls import reverse

from zuzhi.core.bulk import older_objects_frozen
from zuzhi.core.scope import (
    deny,
    get_in_scope_or_404,
    overlapping_scope_q,
    path_in_scope,
    scope_queryset,
    user_scope_paths,
)

from . import scoring
from .models import (
    Adjustment,
    Aggregation,
    Appearance,
    AppearanceStatus,
    Contest,
    ContestStatus,
    DecisionStatus,
    DirectScore,
    Entrant,
    Indicator,
    IndicatorValue,
    JudgeSeat,
    ListMark,
    ResultRow,
    ResultVersion,
    ScoreCorrection,
    ScoreSheet,
    Stage,
    StageKind,
    SupervisionCase,
    TrimOn,
    VersionStatus,
    Vote,
)

MAX_PROBLEMS = 20


def contest_visible_q(user) -> Q:
    """Contests a user may open: those organized in or above their scope (a county contest
    concerns a township for its own entrants), the templates, and for judges the contests they
    are seated on."""
    q = Q(stages__seats__judge=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    scope = overlapping_scope_q(user, "organization__path")
    if scope is not None:
        q |= scope | Q(is_template=True)
    return q


def contest_list(*, user, templates: bool = False, search: str = "") -> QuerySet:
    qs = (
        Contest.objects.filter(contest_visible_q(user), is_template=templates)
        .select_related("organization")
        .distinct()
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(period_label__icontains=search))
    return qs.order_by("-pk")


def contest_get(*, user, pk) -> Contest:
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404("未找到该考评竞赛。") from exc
    if not -(2**63) < pk < 2**63:
        raise Http404("未找到该考评竞赛。")
    contest = (
        Contest.objects.filter(contest_visible_q(user), pk=pk)
        .select_related("organization")
        .first()
    )
    if contest is None:
        existing = Contest.objects.filter(pk=pk).first()
        if existing is not None:
            raise deny(user, target=existing, message="访问了无权查看的考评竞赛")
        raise Http404("未找到该考评竞赛。")
    return contest


def is_judge_only(user, contest: Contest) -> bool:
    """A judge without a data role on the contest sees only the scoring pages."""
    if contest.organization is None:
        return False
    return not user_scope_paths(user) or not (
        path_in_scope(user, contest.organization.path)
        or any(root.startswith(contest.organization.path) for root in user_scope_paths(user))
    )


def entrant_list(*, user, contest: Contest, search: str = "") -> QuerySet:
    """The contest's entrants inside the user's scope (a township sees its own villages)."""
    qs = scope_queryset(
        user,
        Entrant.objects.filter(contest=contest).select_related("organization__parent"),
        path_field="organization__path",
    )
    if search:
        qs = qs.filter(name__icontains=search)
    return qs.order_by("number")


def entrant_get(*, user, contest: Contest, pk) -> Entrant:
    """An entrant of the contest inside the user's scope; 404 alike for missing and forbidden
    (the forbidden one logged), through the project's one scoping helper."""
    if not (isinstance(pk, int) or (str(pk).isascii() and str(pk).isdigit())) or not (
        0 < int(pk) < 2**62
    ):
        raise Http404("未找到该参评对象。")
    return get_in_scope_or_404(
        user,
        Entrant.objects.filter(contest=contest).select_related(
            "organization__parent", "contest__organization"
        ),
        path_field="organization__path",
        pk=int(pk),
    )


def leaf_indicators(stage: Stage) -> list[Indicator]:
    nodes = list(stage.indicators.all())
    parents = {n.parent_id for n in nodes}
    return [n for n in nodes if n.pk not in parents]


# --- scores ---------------------------------------------------------------------------------


@dataclass
class StageResult:
    scores: dict[int, Decimal] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # The same scores as integer hundredths, when they are exactly that (the indicator
    # stage): large contests then total and rank without Decimal arithmetic.
    hundredths: dict[int, int] | None = None


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
    stage score rounded half up once. Anyone can recompute a total from the table."""
    result = StageResult()
    nodes = {n.pk: n for n in stage.indicators.all()}
    parents = {n.parent_id for n in nodes.values()}
    leaves = [n for n in nodes.values() if n.pk not in parents]
    depth, factor = {}, {}
    for leaf in leaves:
        node, product, levels = leaf, 1, 0
        while node is not None:
            product *= int(node.weight * 100)
            levels += 1
            node = nodes.get(node.parent_id)
        depth[leaf.pk], factor[leaf.pk] = levels, product
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
        and sum(_largest_score(leaf, *stats[leaf.pk]) * factor[leaf.pk] for leaf in leaves) >= 2**62
    ):
        result.problems.append(
            f"“{stage.name}”的指标数值过大，请为原始分或目标完成率指标设封顶分。"
        )
    if result.problems or not leaves:
        return result

    def weighted(group: list[Indicator]) -> str:
        arms = " ".join(
            f"WHEN {leaf.pk} THEN {_leaf_score_sql(leaf, *stats[leaf.pk])} * {factor[leaf.pk]}"
            for leaf in group
        )
        return f"CASE indicator_id {arms} END"

    def ids_of(group: list[Indicator]) -> str:
        return ", ".join(str(leaf.pk) for leaf in group)

    plain = [leaf for leaf in leaves if leaf.method != "rank"]
    ranked = [leaf for leaf in leaves if leaf.method == "rank"]
    parts = []
    if plain:
        parts.append(
            f"SELECT entrant_id AS e, SUM({weighted(plain)}) AS s, COUNT(*) AS k FROM {table} "
            f"WHERE indicator_id IN ({ids_of(plain)}) GROUP BY entrant_id"
        )
    if ranked:
        # One window over the rank leaves in the covering index's order (indicator, value
        # ascending), so nothing is sorted; each direction reads its place from it.
        parts.append(
            f"SELECT entrant_id AS e, SUM({weighted(ranked)}) AS s, COUNT(*) AS k "
            "FROM (SELECT entrant_id, "
            "indicator_id, scaled, COUNT(*) OVER w AS c, RANK() OVER w AS r "
            f"FROM {table} WHERE indicator_id IN ({ids_of(ranked)}) "
            "WINDOW w AS (PARTITION BY indicator_id ORDER BY scaled)) x GROUP BY entrant_id"
        )
    if len(parts) > 1:
        parts = [
            f"SELECT e, SUM(s) AS s, SUM(k) AS k FROM ({' UNION ALL '.join(parts)}) u GROUP BY e"
        ]
    # The weights were multiplied in; the stage score is rounded once, to hundredths.
    stage_score = _half_up("s", WEIGHT_SCALE**deepest, signed=True)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Grouping 150,000 entrants needs more than the default 4 MB of sort and hash
            # memory, or PostgreSQL spills to disk; for this transaction only.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        # (PostgreSQL sums 64-bit integers as numeric: back to an integer before dividing.)
        cursor.execute(
            f"SELECT e, {stage_score}, k FROM "
            f"(SELECT e, CAST(s AS BIGINT) AS s, k FROM ({parts[0]}) p) t"
        )
        scored = cursor.fetchall()
    if len(scored) < len(entrants) or min((r[2] for r in scored), default=0) < len(leaves):
        for leaf in leaves:
            result.problems.extend(_missing_values(leaf, entrants))
        return result
    result.hundredths = {e: score for e, score, _ in scored}
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


def vote_counts(stage: Stage) -> dict[int, int]:
    """Valid votes per entrant (voided votes excluded)."""
    return dict(
        Vote.objects.filter(stage=stage, voided=False)
        .values("entrant_id")
        .annotate(n=Count("pk"))
        .values_list("entrant_id", "n")
    )


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
    per_stage: dict[int, dict[int, Decimal]] = {}
    hundredths: dict[int, dict[int, int]] = {}
    for stage in stages:
        outcome = STAGE_SCORERS[stage.kind](stage, entrants)
        problems.extend(outcome.problems)
        per_stage[stage.pk] = outcome.scores
        hundredths[stage.pk] = outcome.hundredths or {
            e: int(scoring.q2(v).scaleb(2)) for e, v in outcome.scores.items()
        }
    if problems:
        more = len(problems) - MAX_PROBLEMS
        shown = problems[:MAX_PROBLEMS] + ([f"……另有 {more} 处问题。"] if more > 0 else [])
        return Standings(problems=shown, stages=stages)
    # Stage scores are exact (vote ranks are not cut to 2 decimals: 2nd of N = 30 at 30 %
    # adds exactly 29); the final is rounded half up once, then ranked as integer hundredths.
    # Every stage but a public vote scores in exact hundredths (judges and direct scores are
    # kept to 2 decimals, indicators come as integers); without a vote the total is integer
    # arithmetic: weights in hundredths of a percent, one half-up rounding.
    adjustments = adjustment_totals(contest)
    exact = all(s.kind != StageKind.PUBLIC_VOTE for s in stages)
    finals = {}
    if exact:
        weights = [(int(s.weight * 100), hundredths[s.pk]) for s in stages]
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
    else:
        weighted = [(s.weight / scoring.HUNDRED, per_stage[s.pk]) for s in stages]
        for e in entrants:
            total = adjustments.get(e, Decimal(0))
            for weight, scores in weighted:
                total += weight * scores[e]
            finals[e] = int(scoring.q2(total).scaleb(2))
    # Scores repeat across a large contest (there are only 10,001 of them from 0 to 100), so
    # each is turned into text, a Decimal or a tier once.
    points = _Memo(_points)
    decimals = _Memo(lambda h: Decimal(h).scaleb(-2))
    # Ties on the final score are broken by the heaviest stage first.
    breakers = [hundredths[s.pk] for s in sorted(stages, key=lambda s: (-s.weight, s.order, s.pk))]
    standings = scoring.rank_standings(
        finals,
        # With one stage and no bonus or penalty, equal finals have equal stage scores.
        tiebreak=None
        if len(stages) == 1 and not adjustments
        else {e: tuple(scores[e] for scores in breakers) for e in entrants},
        tiebreak_names=[s.name for s in sorted(stages, key=lambda s: (-s.weight, s.order, s.pk))],
        display=points.__getitem__,
    )
    tiers = sorted(
        ((t["name"], int(Decimal(str(t["min"])).scaleb(2))) for t in contest.tiers or []),
        key=lambda t: t[1],
        reverse=True,
    )
    tier_of = _Memo(lambda final: _tier(tiers, final))
    # Entrants placed strictly below each rank; standings are in rank order.
    last_index = {s.rank: i for i, s in enumerate(standings)}
    red, black, top = contest.red_list_size, contest.black_list_size, contest.top_n

    def lists_of(rank: int) -> tuple[str, bool]:
        below = len(standings) - 1 - last_index[rank]
        if red and rank <= red:
            mark = ListMark.RED
        elif black and below < black:
            mark = ListMark.BLACK
        else:
            mark = ListMark.NONE
        return mark, bool(top) and rank <= top

    lists = _Memo(lists_of)
    keys = [(str(s.pk), hundredths[s.pk]) for s in stages]
    no_adjustment = scoring.q2(0)

    def row_of(standing: scoring.Standing) -> dict:
        e = standing.key
        mark, selected = lists[standing.rank]
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
            "note": standing.note,
        }

    return Standings(problems=[], stages=stages, places=standings, row_of=row_of)


# --- results --------------------------------------------------------------------------------


def result_versions(*, user, contest: Contest) -> list[ResultVersion]:
    """The result versions a user may see, newest first: drafts only to the organizer."""
    from .services import can_manage

    manager = can_manage(user, contest)
    return [v for v in contest.versions.all() if manager or v.status != VersionStatus.DRAFT]


def board_stage_get(*, user, contest: Contest, pk) -> Stage:
    """A judges' stage for its live board: the organizer sees any; a judge only their own."""
    from .services import can_manage

    stage = contest.stages.filter(pk=min(int(pk), 2**62), kind=StageKind.JUDGES).first()
    if stage is None:
        raise Http404("未找到该评分环节。")
    if can_manage(user, contest):
        return stage
    return judge_stage_get(user=user, pk=stage.pk)


def published_version(contest: Contest) -> ResultVersion | None:
    return contest.versions.filter(status=VersionStatus.PUBLISHED).first()


def result_rows(*, user, version: ResultVersion) -> QuerySet:
    """A version's rows, limited to entrants in the user's scope (the organizer sees all)."""
    qs = ResultRow.objects.filter(version=version).select_related("entrant__organization")
    if path_in_scope(user, version.contest.organization.path):
        return qs
    return scope_queryset(user, qs, path_field="entrant__organization__path")


# --- judges ---------------------------------------------------------------------------------


def judge_stages(*, user) -> QuerySet:
    """Stages the user is seated on as a judge (我的评分)."""
    return (
        Stage.objects.filter(seats__judge=user)
        .select_related("contest")
        .order_by("-contest_id", "order")
    )


def judge_stage_get(*, user, pk) -> Stage:
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404("未找到该评分环节。") from exc
    stage = Stage.objects.filter(pk=pk, seats__judge=user).select_related("contest").first()
    if stage is None:
        existing = Stage.objects.filter(pk=pk).first() if -(2**63) < pk < 2**63 else None
        if existing is not None:
            raise deny(user, target=existing, message="评委访问了未受聘的评分环节")
        raise Http404("未找到该评分环节。")
    return stage


def current_appearance(stage: Stage) -> Appearance | None:
    return stage.appearances.filter(status=AppearanceStatus.OPEN).select_related("entrant").first()


@dataclass
class BoardRow:
    appearance: Appearance
    submitted: set[int]
    scores: dict[int, Decimal] | None  # by seat number, only once closed
    panel: Decimal | None


def judges_board(*, stage: Stage) -> tuple[list[JudgeSeat], list[BoardRow]]:
    """The live board (评分进度): who has scored each entrant; scores only after closing."""
    seats = list(stage.seats.select_related("judge"))
    seat_of = {s.judge_id: s.seat_no for s in seats}
    sheets: dict[int, list[ScoreSheet]] = defaultdict(list)
    for sheet in ScoreSheet.objects.filter(stage=stage):
        sheets[sheet.entrant_id].append(sheet)
    rows = []
    for appearance in stage.appearances.select_related("entrant"):
        mine = sheets[appearance.entrant_id]
        closed = appearance.status == AppearanceStatus.CLOSED
        panel = None
        if closed and mine:
            try:
                panel = scoring.panel_score(
                    [{int(k): Decimal(v) for k, v in s.marks.items()} for s in mine],
                    trimmed=stage.aggregation == Aggregation.TRIMMED,
                    per_criterion=stage.trim_on == TrimOn.CRITERION,
                )
            except scoring.ScoringError:
                panel = None
        rows.append(
            BoardRow(
                appearance=appearance,
                submitted={seat_of.get(s.judge_id) for s in mine},
                scores={seat_of.get(s.judge_id): s.total for s in mine} if closed else None,
                panel=panel,
            )
        )
    return seats, rows


def indicator_get(*, contest: Contest, pk) -> Indicator:
    indicator = (
        Indicator.objects.filter(pk=pk, stage__contest=contest).select_related("stage").first()
        if 0 < int(pk) < 2**62
        else None
    )
    if indicator is None:
        raise Http404("未找到该指标。")
    return indicator


def indicator_values(*, contest: Contest) -> QuerySet:
    return IndicatorValue.objects.filter(indicator__stage__contest=contest).order_by(
        "entrant__number", "indicator__order", "indicator_id"
    )


def indicator_value_get(*, user, contest: Contest, entrant_pk, indicator_pk) -> IndicatorValue:
    """One entrant's value on one indicator, inside the user's scope (404 otherwise)."""
    entrant = entrant_get(user=user, contest=contest, pk=entrant_pk)
    try:
        indicator_pk = int(indicator_pk)
    except (TypeError, ValueError) as exc:
        raise Http404("未找到该指标数据。") from exc
    item = indicator_values(contest=contest).filter(entrant=entrant, indicator_id=indicator_pk)
    if not 0 < indicator_pk < 2**62 or (item := item.first()) is None:
        raise Http404("未找到该指标数据。")
    return item


def adjustment_list(*, user, contest: Contest) -> QuerySet:
    return scope_queryset(
        user,
        Adjustment.objects.filter(contest=contest).select_related("entrant"),
        path_field="entrant__organization__path",
    ).order_by("-pk")


def adjustment_get(*, user, contest: Contest, pk) -> Adjustment:
    """One bonus/penalty item (加减分项) on an entrant in the user's scope; 404 otherwise."""
    return get_in_scope_or_404(
        user,
        Adjustment.objects.filter(contest=contest).select_related("entrant"),
        path_field="entrant__organization__path",
        pk=pk,
    )


# --- public pages ---------------------------------------------------------------------------


def public_contest_get(*, pk) -> Contest:
    """A contest shown to the public: one with a public vote, once started; never a draft or
    a template."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404("未找到该评选。") from exc
    contest = (
        Contest.objects.filter(pk=pk, is_template=False, stages__kind=StageKind.PUBLIC_VOTE)
        .exclude(status=ContestStatus.DRAFT)
        .first()
        if 0 < pk < 2**62
        else None
    )
    if contest is None:
        raise Http404("未找到该评选。")
    return contest


def vote_totals(stage: Stage) -> dict[int, int]:
    """Live totals for the public page, cached for a few seconds so a crowd of readers costs
    one count per interval."""
    cache = caches["shared"]
    key = f"vote-totals:{stage.pk}"
    totals = cache.get(key)
    if totals is None:
        totals = vote_counts(stage)
        cache.set(key, totals, settings.ZUZHI_VOTE_TOTALS_SECONDS)
    return totals


def public_contest(*, pk) -> dict:
    """What the public page and API show: entrants, stories, photos and vote totals. No member
    ids, no ID numbers, no phones."""
    from .services import public_vote_stage, voting_state

    contest = public_contest_get(pk=pk)
    stage = public_vote_stage(contest)
    totals = vote_totals(stage)
    reason = voting_state(stage)
    return {
        "id": contest.pk,
        "name": contest.name,
        "period_label": contest.period_label,
        "voting_open": not reason,
        "voting_message": reason or f"每人每天可投 {stage.votes_per_day} 票。",
        "votes_per_day": stage.votes_per_day,
        "entrants": [
            {
                "id": e.pk,
                "number": e.number,
                "name": e.name,
                "organization": e.organization.name,
                "story": e.story,
                "photo": reverse("contests:photo", args=[contest.pk, e.pk]) if e.photo else "",
                "votes": totals.get(e.pk, 0),
            }
            for e in contest.entrants.select_related("organization").order_by("number")
        ],
    }


class _Ipv4Network(Func):
    """The /24 network of an IPv4 address as text ("10.1.2.0/24"), NULL for IPv6 or no
    address. PostgreSQL stores the address as inet, SQLite as its canonical text."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = (
            "CASE WHEN family(%(expressions)s) = 4 "
            "THEN network(set_masklen(%(expressions)s, 24))::text END"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Every IPv6 address has a colon; trimming an IPv4 address's trailing digits leaves
        # "10.1.2.", its first three octets.
        template = (
            "CASE WHEN instr(%(expressions)s, ':') = 0 "
            "THEN rtrim(%(expressions)s, '0123456789') || '0/24' END"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


def suspicious_votes(*, stage: Stage, burst: int = 20, limit: int = 200) -> dict:
    """Patterns worth a look in the vote ledger (刷票线索): at least `burst` votes from one
    IPv4 /24 range within one local minute, and one device voting with several phones.

    The database groups the ledger and returns only the suspicious groups, the `limit`
    largest of each kind; a second query fetches their vote ids (needed to void them), so
    the rest of the ledger, possibly hundreds of thousands of votes, is never loaded.
    `ip_bursts_total` and `shared_devices_total` count every suspicious group."""
    ledger = Vote.objects.filter(stage=stage, voided=False)

    by_minute = ledger.annotate(network=_Ipv4Network("ip"), minute=TruncMinute("cast_at"))
    burst_groups = (
        by_minute.filter(network__isnull=False)
        .values("network", "minute")
        .annotate(votes=Count("pk"))
        .filter(votes__gte=burst)
        .order_by("-votes", "network", "minute")
    )
    bursts = list(burst_groups[:limit])
    burst_ids: dict[tuple, list[int]] = {(b["network"], b["minute"]): [] for b in bursts}
    if bursts:
        # A range on cast_at (the stage/time index) per group, rather than TruncMinute in
        # the WHERE clause, which no index serves.
        in_groups = Q()
        for b in bursts:
            in_groups |= Q(
                network=b["network"],
                cast_at__gte=b["minute"],
                cast_at__lt=b["minute"] + datetime.timedelta(minutes=1),
            )
        for pk, network, minute in (
            by_minute.filter(in_groups).values_list("pk", "network", "minute").order_by("pk")
        ):
            burst_ids[(network, minute)].append(pk)

    device_groups = (
        ledger.exclude(device="")
        .values("device")
        .annotate(phones=Count("phone_digest", distinct=True), votes=Count("pk"))
        .filter(phones__gt=1)
        .order_by("-votes", "device")
    )
    devices = list(device_groups[:limit])
    device_ids: dict[str, list[int]] = {d["device"]: [] for d in devices}
    for device, pk in (
        ledger.filter(device__in=list(device_ids)).values_list("device", "pk").order_by("pk")
    ):
        device_ids[device].append(pk)

    return {
        "ip_bursts": [
            {
                "network": b["network"],
                # TruncMinute gives the minute in the current time zone (Asia/Shanghai).
                "minute": b["minute"].strftime("%Y-%m-%d %H:%M"),
                "votes": b["votes"],
                "vote_ids": burst_ids[(b["network"], b["minute"])],
            }
            for b in bursts
        ],
        "ip_bursts_total": len(bursts) if len(bursts) < limit else burst_groups.count(),
        "shared_devices": [
            {
                "device": d["device"][:8] + "…",
                "phones": d["phones"],
                "votes": d["votes"],
                "vote_ids": device_ids[d["device"]],
            }
            for d in devices
        ],
        "shared_devices_total": len(devices) if len(devices) < limit else device_groups.count(),
    }


def pending_corrections(*, stage: Stage) -> QuerySet:
    return ScoreCorrection.objects.filter(
        sheet__stage=stage, status=DecisionStatus.PENDING
    ).select_related("sheet__entrant")


def judge_sheet(*, stage: Stage, judge, entrant_id: int) -> ScoreSheet | None:
    return ScoreSheet.objects.filter(stage=stage, judge=judge, entrant_id=entrant_id).first()


def case_list(*, user, contest: Contest) -> QuerySet:
    """Supervision cases (督办) of the contest inside the user's scope."""
    return scope_queryset(
        user,
        SupervisionCase.objects.filter(contest=contest).select_related("entrant", "owner"),
        path_field="entrant__organization__path",
    ).order_by("status", "deadline")


@dataclass(frozen=True)
class VoteTarget:
    """What casting a vote needs to know about a contest, read once per process every few
    seconds instead of on each of thousands of votes a second."""

    stage: Stage
    entrant_ids: frozenset[int]


VOTE_TARGET_SECONDS = 2.0
VOTE_TARGETS_KEPT = 200  # contests with voting open at once, with room to spare
_vote_targets: dict[int, tuple[float, VoteTarget]] = {}


def vote_target(*, contest_id) -> VoteTarget | None:
    """The contest's public-vote stage (with its contest) and entrant ids; None when the
    contest has no public vote. Cached in this process for VOTE_TARGET_SECONDS: a closed
    contest stops taking votes everywhere within that time."""
    try:
        contest_id = int(contest_id)
    except (TypeError, ValueError):
        return None
    now = time.monotonic()
    cached = _vote_targets.get(contest_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    stage = (
        Stage.objects.filter(
            contest_id=contest_id, kind=StageKind.PUBLIC_VOTE, contest__is_template=False
        )
        .select_related("contest")
        .first()
        if 0 < contest_id < 2**62
        else None
    )
    if stage is None:
        # Not remembered: ids that are not contests must not grow this process's memory.
        return None
    ids = frozenset(Entrant.objects.filter(contest_id=contest_id).values_list("pk", flat=True))
    target = VoteTarget(stage=stage, entrant_ids=ids)
    if len(_vote_targets) >= VOTE_TARGETS_KEPT:
        _vote_targets.clear()
    _vote_targets[contest_id] = (now + VOTE_TARGET_SECONDS, target)
    return target


def public_vote_target(*, contest_id) -> VoteTarget | None:
    """The vote target a member of the public may address: as `public_contest_get`, never a
    draft (nor a template, which `vote_target` already leaves out)."""
    target = vote_target(contest_id=contest_id)
    if target is None or target.stage.contest.status == ContestStatus.DRAFT:
        return None
    return target


def vote_target_forget(*, contest_id=None) -> None:
    """Drop the cached vote targets (one contest's, or all) after a change in this process."""
    if contest_id is None:
        _vote_targets.clear()
    else:
        _vote_targets.pop(int(contest_id), None)


def eligible_organizations(*, user, contest: Contest) -> list:
    """Organizations that may still enter an organization contest: under the organizer, in
    the user's scope, of the track's kind, not entered yet."""
    from zuzhi.orgs.models import Organization

    from .services import TRACK_UNITS

    units = TRACK_UNITS.get(contest.track)
    if not units:
        return []
    taken = Entrant.objects.filter(contest=contest).values("organization_id")
    return list(
        scope_queryset(
            user,
            Organization.objects.filter(
                path__startswith=contest.organization.path, unit_category__in=units
            ).exclude(pk__in=taken),
        ).order_by("path")[:1000]
    )
