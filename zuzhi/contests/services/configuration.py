"""Setting up a contest (考评竞赛的设立): its fields, its stages and scoring rules (计分办法),
copies of templates, and the start.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zuzhi.core.audit import snapshot
from zuzhi.core.models import AuditAction
from zuzhi.orgs.models import Organization

from .. import scoring
from ..models import (
    Aggregation,
    Contest,
    ContestStatus,
    Criterion,
    EdgeTies,
    Indicator,
    Method,
    RaterGroup,
    Stage,
    StageKind,
    Track,
)
from ..rules import (
    MAX_INDICATOR_VALUE,
    audit,
    parse_decimal,
    require_editable,
    require_manager,
    require_organizer,
)
from ..voting.selectors import vote_target_forget

CONTEST_FIELDS = [
    "name",
    "track",
    "period_label",
    "starts_on",
    "ends_on",
    "description",
    "top_n",
    "red_list_size",
    "black_list_size",
    "edge_ties",
    "tiers",
    "bonus_limit",
    "penalty_limit",
    "supervision_days",
]
STAGE_FIELDS = [
    "kind",
    "name",
    "weight",
    "aggregation",
    "trim_on",
    "vote_method",
    "rank_points",
    "votes_per_day",
    "votes_per_entrant",
    "votes_total",
    "vote_opens_at",
    "vote_closes_at",
]


def _check_contest_fields(data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = ["请填写名称。"]
    if data.get("edge_ties", EdgeTies.ALL_IN) not in EdgeTies.values:
        errors["edge_ties"] = ["请选择名额线上并列者的处理办法。"]
    if data.get("track") not in Track.values:
        errors["track"] = ["请选择参评类别。"]
    if not (data.get("period_label") or "").strip():
        errors["period_label"] = ["请填写考评周期，如“2026年”或“2026年第三季度”。"]
    if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
        errors["ends_on"] = ["结束日期不能早于开始日期。"]
    tiers = data.get("tiers") or []
    if not isinstance(tiers, list) or not all(
        isinstance(t, dict) and t.get("name") and t.get("min") is not None for t in tiers
    ):
        errors["tiers"] = ["等次应逐条写明名称和最低分。"]
    else:
        for t in tiers:
            parse_decimal(t["min"], "tiers", errors, label=f"等次“{t['name']}”的最低分")
    for field, label, high in (
        ("top_n", "入选名额", 10000),
        ("red_list_size", "红榜名额", 10000),
        ("black_list_size", "黑榜名额", 10000),
        ("supervision_days", "督办期限", 365),
    ):
        value = data.get(field)
        if value is not None and not (isinstance(value, int) and 0 <= value <= high):
            errors[field] = [f"{label}应为 0 到 {high} 之间的整数。"]
    for field, label in (("bonus_limit", "加分上限"), ("penalty_limit", "减分上限")):
        if data.get(field) is not None:
            value = parse_decimal(data[field], field, errors, label=label)
            if value is not None and not Decimal(0) <= value <= Decimal(100):
                errors.setdefault(field, []).append(f"{label}应在 0 到 100 之间。")
    return errors


def contest_create(
    *, actor, organization: Organization, data: dict[str, Any], stages: list[dict] | None = None
) -> Contest:
    """Set up a contest (新建考评竞赛) organized by a node the actor may organize for
    (`rules.require_organizer`); with `stages` the whole configuration is given at once and
    must be complete (weights summing to 100 %)."""
    require_organizer(actor, organization, data.get("track") or "")
    data = {k: v for k, v in data.items() if k in CONTEST_FIELDS and v is not None}
    errors = _check_contest_fields(data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contest = Contest.objects.create(organization=organization, created_by=actor, **data)
        if stages is not None:
            _configure(contest, stages)
        audit(actor, AuditAction.CREATE, contest, contest, after=snapshot(contest))
    return contest


def contest_update(*, actor, contest: Contest, data: dict[str, Any]) -> Contest:
    require_manager(actor, contest)
    require_editable(contest)
    data = {k: v for k, v in data.items() if k in CONTEST_FIELDS}
    retracked = "track" in data and data["track"] != contest.track
    if retracked and contest.entrants.exists():
        raise ValidationError({"track": ["已有参评对象，不能再改参评类别。"]})
    if retracked and Track.TALENT in (data["track"], contest.track):
        # The talent track decides who runs the contest (rules.manages): not switched later.
        raise ValidationError({"track": ["人才评选与其他考评的参评类别不能互改，请另行新建。"]})
    before = snapshot(contest)
    merged = {f: getattr(contest, f) for f in CONTEST_FIELDS} | data
    errors = _check_contest_fields(merged)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for k, v in data.items():
            setattr(contest, k, v)
        contest.save()
        after = snapshot(contest)
        audit(actor, AuditAction.UPDATE, contest, contest, before=before, after=after)
    return contest


def _check_stage(spec: dict, index: int) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    where = f"第 {index + 1} 个环节"
    if spec.get("kind") not in StageKind.values:
        errors.setdefault("stages", []).append(f"{where}的类型无效。")
        return errors
    if not (spec.get("name") or "").strip():
        errors.setdefault("stages", []).append(f"{where}须有名称。")
    kind = spec["kind"]
    for field, label, most in (
        ("criteria", "评分项", MAX_CRITERIA),
        ("rater_groups", "测评主体", MAX_RATER_GROUPS),
    ):
        if len(spec.get(field) or []) > most:
            errors.setdefault("stages", []).append(f"{where}的{label}最多 {most} 个。")
    if _indicator_count(spec.get("indicators") or []) > MAX_INDICATORS:
        errors.setdefault("stages", []).append(
            f"{where}的指标（各级合计）最多 {MAX_INDICATORS} 个。"
        )
    if kind == StageKind.JUDGES and not spec.get("criteria"):
        errors.setdefault("stages", []).append(f"{where}（{spec.get('name')}）须设评分标准。")
    for c in spec.get("criteria") or []:
        value = parse_decimal(c.get("max_score"), "stages", errors, label=f"{where}评分项满分")
        if value is not None and value <= 0:
            errors.setdefault("stages", []).append(
                f"{where}评分项“{c.get('name')}”的满分应大于 0。"
            )
    if kind == StageKind.APPRAISAL:
        groups = spec.get("rater_groups") or []
        if not groups:
            errors.setdefault("stages", []).append(f"{where}（民主测评）须设测评主体及权重。")
        else:
            try:
                scoring.check_weights(
                    [Decimal(str(g.get("weight"))) for g in groups],
                    what=f"{where}（{spec.get('name')}）的测评主体",
                )
            except (scoring.ScoringError, InvalidOperation) as exc:
                errors.setdefault("stages", []).append(
                    str(exc) if isinstance(exc, scoring.ScoringError) else "测评主体权重应为数字。"
                )
    if kind == StageKind.INDICATORS:
        if not spec.get("indicators"):
            errors.setdefault("stages", []).append(f"{where}（指标数据）须设指标。")
        else:
            for message in _check_indicator_specs(
                spec["indicators"], f"{where}（{spec.get('name')}）"
            ):
                errors.setdefault("stages", []).append(message)
    if kind == StageKind.PUBLIC_VOTE:
        if spec.get("vote_method") == "rank" and not spec.get("rank_points", 30):
            errors.setdefault("stages", []).append(f"{where}按名次折算须设第一名分值 N。")
        for field, label, low in (
            ("votes_per_day", "每人每天票数", 1),
            ("votes_per_entrant", "每人对同一对象票数", 0),
            ("votes_total", "每人总票数", 0),
            ("rank_points", "第一名分值 N", 1),
        ):
            value = spec.get(field)
            if value is not None and not (isinstance(value, int) and low <= value <= 10000):
                errors.setdefault("stages", []).append(
                    f"{where}的{label}应为 {low} 到 10000 之间的整数。"
                )
        opens, closes = spec.get("vote_opens_at"), spec.get("vote_closes_at")
        if opens and closes and str(opens) >= str(closes):
            errors.setdefault("stages", []).append(f"{where}的投票截止时间应晚于开始时间。")
    return errors


MAX_INDICATOR_DEPTH = 3  # 一级、二级、三级指标; exact scoring sums stay within 64 bits
# Bounds on a configuration's size (issue #11, 5.8): far above any county's scoring rules, low
# enough that a request cannot make the engine build thousands of rows or columns.
MAX_STAGES = 10
MAX_CRITERIA = 30
MAX_RATER_GROUPS = 10
MAX_INDICATORS = 200


def _indicator_count(specs: list) -> int:
    return sum(1 + _indicator_count(s.get("children") or []) for s in specs if isinstance(s, dict))


def _check_indicator_specs(specs: list[dict], where: str, depth: int = 1) -> list[str]:
    problems = []
    if depth > MAX_INDICATOR_DEPTH:
        return [f"{where}下的指标超过 {MAX_INDICATOR_DEPTH} 级。"]
    try:
        scoring.check_weights(
            [Decimal(str(s.get("weight"))) for s in specs], what=f"{where}的同级指标"
        )
    except scoring.ScoringError as exc:
        problems.append(str(exc))
    except InvalidOperation:
        problems.append(f"{where}的指标权重应为数字。")
    for s in specs:
        if not (s.get("name") or "").strip():
            problems.append(f"{where}有指标缺少名称。")
        if s.get("method", Method.MINMAX) not in Method.values:
            problems.append(f"指标“{s.get('name')}”的标准化方法无效。")
        if s.get("method") == Method.RAW and s.get("direction", "higher") != "higher":
            problems.append(f"指标“{s.get('name')}”按原始分计分，原始分即得分，只能“越高越好”。")
        if s.get("method") == Method.TARGET and not s.get("target") and not s.get("children"):
            problems.append(f"指标“{s.get('name')}”按目标完成率计分，须设目标值。")
        for field, label, low, high in (
            ("target", "目标值", Decimal("0.0001"), Decimal(MAX_INDICATOR_VALUE)),
            ("cap", "得分上限", Decimal(0), Decimal(1000)),
        ):
            if s.get(field) in (None, ""):
                continue
            bucket: dict[str, list[str]] = {}
            value = parse_decimal(s[field], field, bucket, label=f"指标“{s.get('name')}”的{label}")
            if value is None:
                problems.extend(bucket[field])
            elif not low <= value <= high:
                problems.append(f"指标“{s.get('name')}”的{label}应在 {low} 到 {high} 之间。")
        if s.get("children"):
            problems.extend(
                _check_indicator_specs(s["children"], f"指标“{s.get('name')}”", depth + 1)
            )
    return problems


def _configure(contest: Contest, stages: list[dict]) -> None:
    """Replace the contest's stages with `stages`, refused whole if any rule is broken."""
    errors: dict[str, list[str]] = {}
    if not stages:
        errors["stages"] = ["请至少设置一个计分环节。"]
    elif len(stages) > MAX_STAGES:
        raise ValidationError(
            {"stages": [f"计分环节最多 {MAX_STAGES} 个，现有 {len(stages)} 个。"]}
        )
    for i, spec in enumerate(stages):
        for field, messages in _check_stage(spec, i).items():
            errors.setdefault(field, []).extend(messages)
    try:
        scoring.check_weights([Decimal(str(s.get("weight"))) for s in stages], what="各计分环节")
    except scoring.ScoringError as exc:
        errors.setdefault("weight", []).append(str(exc))
    except InvalidOperation:
        errors.setdefault("weight", []).append("环节权重应为数字。")
    if errors:
        raise ValidationError(errors)
    contest.stages.all().delete()
    for order, spec in enumerate(stages):
        stage = Stage.objects.create(
            contest=contest,
            order=order,
            **{k: spec[k] for k in STAGE_FIELDS if spec.get(k) is not None},
        )
        Criterion.objects.bulk_create(
            Criterion(stage=stage, name=c["name"], max_score=Decimal(str(c["max_score"])), order=i)
            for i, c in enumerate(spec.get("criteria") or [])
        )
        RaterGroup.objects.bulk_create(
            RaterGroup(stage=stage, name=g["name"], weight=Decimal(str(g["weight"])), order=i)
            for i, g in enumerate(spec.get("rater_groups") or [])
        )
        _create_indicators(stage, spec.get("indicators") or [], parent=None)


def _create_indicators(stage: Stage, specs: list[dict], parent: Indicator | None) -> None:
    for order, s in enumerate(specs):
        node = Indicator.objects.create(
            stage=stage,
            parent=parent,
            name=s["name"],
            weight=Decimal(str(s["weight"])),
            direction=s.get("direction") or "higher",
            method=s.get("method") or Method.MINMAX,
            target=Decimal(str(s["target"])) if s.get("target") not in (None, "") else None,
            cap=Decimal(str(s["cap"])) if s.get("cap") not in (None, "") else None,
            unit=s.get("unit") or "",
            order=order,
        )
        _create_indicators(stage, s.get("children") or [], parent=node)


def contest_configure(*, actor, contest: Contest, stages: list[dict]) -> Contest:
    """Replace the scoring configuration (计分办法) before any score is recorded."""
    require_manager(actor, contest)
    if contest.status != ContestStatus.DRAFT:
        raise ValidationError("考评已开始，计分办法不能再改。")
    before = stage_specs(contest)
    with transaction.atomic():
        _configure(contest, stages)
        audit(
            actor,
            AuditAction.UPDATE,
            contest,
            contest,
            before={"stages": before},
            after={"stages": stage_specs(contest)},
        )
    return contest


def stage_specs(contest: Contest) -> list[dict]:
    """The configuration as plain data, the shape contest_create/configure accept."""

    def indicator_specs(nodes, parent_id):
        return [
            {
                "name": n.name,
                "weight": str(n.weight),
                "direction": n.direction,
                "method": n.method,
                "target": None if n.target is None else str(n.target),
                "cap": None if n.cap is None else str(n.cap),
                "unit": n.unit,
                "children": indicator_specs(nodes, n.pk),
            }
            for n in nodes
            if n.parent_id == parent_id
        ]

    specs = []
    for stage in contest.stages.prefetch_related("criteria", "rater_groups", "indicators"):
        spec = {k: getattr(stage, k) for k in STAGE_FIELDS}
        spec["weight"] = str(stage.weight)
        for k in ("vote_opens_at", "vote_closes_at"):
            spec[k] = spec[k].isoformat() if spec[k] else None
        spec["criteria"] = [
            {"name": c.name, "max_score": str(c.max_score)} for c in stage.criteria.all()
        ]
        spec["rater_groups"] = [
            {"name": g.name, "weight": str(g.weight)} for g in stage.rater_groups.all()
        ]
        spec["indicators"] = indicator_specs(list(stage.indicators.all()), None)
        specs.append(spec)
    return specs


def contest_copy(
    *, actor, source: Contest, organization: Organization, name: str, period_label: str
) -> Contest:
    """A new contest with the source's rules (复制模板或往期考评); no entrants or scores."""
    data = {f: getattr(source, f) for f in CONTEST_FIELDS} | {
        "name": name,
        "period_label": period_label,
    }
    data["starts_on"] = data["ends_on"] = None
    return contest_create(
        actor=actor, organization=organization, data=data, stages=stage_specs(source)
    )


def contest_start(*, actor, contest: Contest) -> Contest:
    """Open the contest for data, scoring and voting (开始考评)."""
    require_manager(actor, contest)
    if contest.status != ContestStatus.DRAFT:
        raise ValidationError("考评已经开始。")
    problems = contest_problems(contest)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        contest.status = ContestStatus.RUNNING
        contest.save(update_fields=["status"])
        vote_target_forget(contest_id=contest.pk)
        audit(
            actor,
            AuditAction.UPDATE,
            contest,
            contest,
            before={"status": "draft"},
            after={"status": "running"},
        )
    return contest


def contest_problems(contest: Contest) -> list[str]:
    """What keeps the contest from running, in Chinese; empty when it can start."""
    stages = list(contest.stages.all())
    problems = []
    for i, spec in enumerate(stage_specs(contest)):
        problems.extend(_check_stage(spec, i).get("stages", []))
    try:
        scoring.check_weights([s.weight for s in stages], what="各计分环节")
    except scoring.ScoringError as exc:
        problems.append(str(exc))
    if not stages:
        problems.append("请至少设置一个计分环节。")
    if not contest.entrants.exists():
        problems.append("还没有参评对象。")
    for stage in stages:
        if stage.kind == StageKind.JUDGES:
            seats = stage.seats.count()
            if seats == 0:
                problems.append(f"环节“{stage.name}”还没有安排评委。")
            elif stage.aggregation == Aggregation.TRIMMED and seats < scoring.MIN_JUDGES_FOR_TRIM:
                problems.append(
                    f"环节“{stage.name}”去掉最高分和最低分，需要至少 {scoring.MIN_JUDGES_FOR_TRIM} 位评委，现有 {seats} 位。"
                )
    return problems
