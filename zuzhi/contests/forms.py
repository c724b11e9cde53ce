"""The scoring-rules form (计分办法): flat inputs on one page ↔ the nested stage specs that
services.contest_configure checks and stores. Only shape is handled here; every rule (weights
summing to 100 %, required targets, …) is the service's."""

from decimal import Decimal, InvalidOperation

from .models import Aggregation, Direction, Method, StageKind, TrimOn, VoteMethod

BLANK_INDICATORS = 3
BLANK_CRITERIA = 2
BLANK_GROUPS = 2
STAGE_INTS = ("rank_points", "votes_per_day", "votes_per_entrant", "votes_total")


def _text(post, name: str, limit: int = 60) -> str:
    return (post.get(name) or "").replace("\x00", "").strip()[:limit]


def _number(post, name: str):
    """A decimal as typed, or the text itself so that the service names it as not a number."""
    raw = _text(post, name, 20)
    if raw == "":
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        return raw


def _small_int(raw: str) -> int | None:
    """A count typed in a box: ASCII digits only ("²" and "①" are digits to str.isdigit)."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else None


def _choice(post, name: str, choices, default: str) -> str:
    value = _text(post, name, 20)
    return value if value in choices.values else default


def flatten_indicators(specs: list[dict], parent: str = "") -> list[dict]:
    """Indicator tree → rows with the parent's name, for a table with one row per indicator."""
    rows = []
    for spec in specs:
        rows.append({**spec, "parent": parent})
        rows.extend(flatten_indicators(spec.get("children") or [], spec["name"]))
    return rows


def form_stages(specs: list[dict]) -> list[dict]:
    """Stage specs with blank rows added for new indicators, criteria and rater groups."""
    stages = []
    for spec in specs:
        stage = dict(spec)
        stage["indicator_rows"] = flatten_indicators(spec.get("indicators") or []) + [
            {} for _ in range(BLANK_INDICATORS if spec["kind"] == StageKind.INDICATORS else 0)
        ]
        stage["criteria_rows"] = list(spec.get("criteria") or []) + [
            {} for _ in range(BLANK_CRITERIA if spec["kind"] == StageKind.JUDGES else 0)
        ]
        stage["group_rows"] = list(spec.get("rater_groups") or []) + [
            {} for _ in range(BLANK_GROUPS if spec["kind"] == StageKind.APPRAISAL else 0)
        ]
        stages.append(stage)
    return stages


def stages_from_post(post) -> list[dict]:
    """The submitted page → stage specs (stages marked for removal left out; rows without a
    name are blank rows and ignored)."""
    count = _small_int(_text(post, "stage_count", 3)) or 0
    stages = []
    for i in range(min(count + 1, 20)):
        p = f"s{i}_"
        kind = _text(post, p + "kind", 20)
        name = _text(post, p + "name")
        if kind not in StageKind.values or post.get(p + "remove") or (i == count and not name):
            continue
        spec = {
            "kind": kind,
            "name": name,
            "weight": _number(post, p + "weight"),
            "aggregation": _choice(post, p + "aggregation", Aggregation, Aggregation.TRIMMED),
            "trim_on": _choice(post, p + "trim_on", TrimOn, TrimOn.TOTAL),
            "vote_method": _choice(post, p + "vote_method", VoteMethod, VoteMethod.RANK),
        }
        for field in STAGE_INTS:
            raw = _text(post, p + field, 6)
            if (value := _small_int(raw)) is not None:
                spec[field] = value
        spec["criteria"] = [
            {"name": _text(post, f"{p}c{j}_name"), "max_score": _number(post, f"{p}c{j}_max")}
            for j in range(50)
            if _text(post, f"{p}c{j}_name")
        ]
        spec["rater_groups"] = [
            {"name": _text(post, f"{p}g{j}_name", 40), "weight": _number(post, f"{p}g{j}_weight")}
            for j in range(50)
            if _text(post, f"{p}g{j}_name", 40)
        ]
        spec["indicators"] = _indicator_tree(post, p)
        stages.append(spec)
    return stages


def _indicator_tree(post, prefix: str) -> list[dict]:
    rows = []
    for j in range(200):
        q = f"{prefix}i{j}_"
        name = _text(post, q + "name")
        if not name:
            continue
        rows.append(
            {
                "name": name,
                "parent": _text(post, q + "parent"),
                "weight": _number(post, q + "weight"),
                "method": _choice(post, q + "method", Method, Method.MINMAX),
                "direction": _choice(post, q + "direction", Direction, Direction.HIGHER),
                "target": _number(post, q + "target"),
                "cap": _number(post, q + "cap"),
                "unit": _text(post, q + "unit", 16),
                "children": [],
            }
        )
    by_name = {row["name"]: row for row in rows}
    top = []
    for row in rows:
        parent = by_name.get(row.pop("parent"))
        (parent["children"] if parent is not None and parent is not row else top).append(row)
    return top
