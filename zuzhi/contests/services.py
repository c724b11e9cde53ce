"""The contest engine (考评竞赛): configuration, entrants, indicator data, bonus and penalty
items, judges' scoring, results and their versions.

A contest is managed by users whose scope holds its organizing node (主办单位); users below it
enter data for their own entrants; judges act only on the stages they are seated on.
Once a result is published every input is locked; a correction opens a new version.
"""

import hashlib
import hmac
import re
import secrets
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.db import fetch_one_prepared
from zuzhi.core.models import AuditAction
from zuzhi.core.roles import Role
from zuzhi.core.scope import deny, has_role, path_in_scope, require_in_scope
from zuzhi.core.uploads import upload_error
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization, UnitCategory

from . import scoring
from .models import (
    PERSON_TRACKS,
    Adjustment,
    AdjustmentKind,
    Aggregation,
    Appearance,
    AppearanceStatus,
    CaseStatus,
    Contest,
    ContestStatus,
    Criterion,
    DecisionStatus,
    DirectScore,
    Entrant,
    Indicator,
    IndicatorValue,
    JudgeSeat,
    ListMark,
    Method,
    RaterGroup,
    ResultRow,
    ResultVersion,
    ScoreCorrection,
    ScoreSheet,
    Stage,
    StageKind,
    SupervisionCase,
    Track,
    VersionStatus,
    Vote,
    VoteCode,
    VoteQuota,
)
from .sms import sms_backend

# Which organizations may enter a track: villages and communities compete as villages, etc.
TRACK_UNITS = {
    Track.VILLAGE: {UnitCategory.VILLAGE, UnitCategory.COMMUNITY},
    Track.TOWNSHIP: {UnitCategory.TOWNSHIP, UnitCategory.SUBDISTRICT},
    Track.COUNTY_UNIT: {
        UnitCategory.GOVERNMENT,
        UnitCategory.PUBLIC_INSTITUTION,
        UnitCategory.STATE_ENTERPRISE,
    },
}
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
EDITABLE = (ContestStatus.DRAFT, ContestStatus.RUNNING, ContestStatus.REVISING)


def can_manage(user, contest: Contest) -> bool:
    return not contest.is_template and path_in_scope(user, contest.organization.path)


def require_manager(actor, contest: Contest) -> None:
    if contest.is_template:
        raise ValidationError("模板不能直接使用，请先复制为新的考评竞赛。")
    require_in_scope(
        actor, contest.organization.path, target=contest, message="试图管理权限范围以外的考评竞赛"
    )


def require_entrant_scope(actor, entrant: Entrant) -> None:
    require_in_scope(
        actor, entrant.organization.path, target=entrant, message="试图办理权限范围以外的参评对象"
    )


def _forget_vote_target(contest: Contest) -> None:
    from .selectors import vote_target_forget

    vote_target_forget(contest_id=contest.pk)


def require_editable(contest: Contest) -> None:
    if contest.status not in EDITABLE:
        raise ValidationError("结果已发布，数据已锁定；如需更正，请先发起更正（生成新版本）。")


def _audit(actor, action, target, contest: Contest, **kwargs) -> None:
    audit_record(
        actor=actor, action=action, target=target, org_path=contest.organization.path, **kwargs
    )


def _decimal(value, field: str, errors: dict, *, label: str) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors.setdefault(field, []).append(f"{label}应为数字。")
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append(f"{label}应为数字。")
        return None
    return number


# --- configuration -------------------------------------------------------------------------


def _check_contest_fields(data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = ["请填写名称。"]
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
            _decimal(t["min"], "tiers", errors, label=f"等次“{t['name']}”的最低分")
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
            value = _decimal(data[field], field, errors, label=label)
            if value is not None and not Decimal(0) <= value <= Decimal(100):
                errors.setdefault(field, []).append(f"{label}应在 0 到 100 之间。")
    return errors


def contest_create(
    *, actor, organization: Organization, data: dict[str, Any], stages: list[dict] | None = None
) -> Contest:
    """Set up a contest (新建考评竞赛) organized by a node in the actor's scope; with `stages`
    the whole configuration is given at once and must be complete (weights summing to 100 %)."""
    require_in_scope(
        actor, organization.path, target=organization, message="试图为权限范围以外的组织设立考评"
    )
    data = {k: v for k, v in data.items() if k in CONTEST_FIELDS and v is not None}
    errors = _check_contest_fields(data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contest = Contest.objects.create(organization=organization, created_by=actor, **data)
        if stages is not None:
            _configure(contest, stages)
        _audit(actor, AuditAction.CREATE, contest, contest, after=snapshot(contest))
    return contest


def contest_update(*, actor, contest: Contest, data: dict[str, Any]) -> Contest:
    require_manager(actor, contest)
    require_editable(contest)
    data = {k: v for k, v in data.items() if k in CONTEST_FIELDS}
    if "track" in data and data["track"] != contest.track and contest.entrants.exists():
        raise ValidationError({"track": ["已有参评对象，不能再改参评类别。"]})
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
        _audit(actor, AuditAction.UPDATE, contest, contest, before=before, after=after)
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
    if kind == StageKind.JUDGES and not spec.get("criteria"):
        errors.setdefault("stages", []).append(f"{where}（{spec.get('name')}）须设评分标准。")
    for c in spec.get("criteria") or []:
        value = _decimal(c.get("max_score"), "stages", errors, label=f"{where}评分项满分")
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
            value = _decimal(s[field], field, bucket, label=f"指标“{s.get('name')}”的{label}")
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
        _audit(
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
        _forget_vote_target(contest)
        _audit(
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


# --- entrants -------------------------------------------------------------------------------


def _eligible(contest: Contest, organization: Organization) -> bool:
    units = TRACK_UNITS.get(contest.track)
    return units is None or organization.unit_category in units


def entrant_add(
    *,
    actor,
    contest: Contest,
    organization: Organization | None = None,
    member: Member | None = None,
    name: str = "",
    story: str = "",
    photo=None,
) -> Entrant:
    """Enter an organization, or a person (with the organization they belong to), in a contest."""
    require_manager(actor, contest)
    require_editable(contest)
    errors: dict[str, list[str]] = {}
    if contest.track in PERSON_TRACKS:
        if member is not None:
            organization = member.organization
            name = name or member.name
        if organization is None or not name.strip():
            errors["name"] = ["请选择党员，或填写姓名并选择所在党组织。"]
    elif organization is None:
        errors["organization"] = ["请选择参评的党组织。"]
    elif not _eligible(contest, organization):
        errors["organization"] = [
            f"“{organization.name}”不属于“{contest.get_track_display()}”类别。"
        ]
    if organization is not None and not errors:
        require_in_scope(
            actor,
            organization.path,
            target=organization,
            message="试图把权限范围以外的组织列为参评对象",
        )
        if not path_in_scope_of(contest, organization):
            errors["organization"] = [f"“{organization.name}”不在主办单位的范围内。"]
    if photo is not None and (problem := upload_error(photo, types=("jpg", "jpeg", "png"))):
        errors["photo"] = [problem]
    if len(name) > 100:
        errors["name"] = ["名称不能超过 100 个字。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Contest.objects.select_for_update().filter(pk=contest.pk).first()
        number = (contest.entrants.aggregate(n=Max("number"))["n"] or 0) + 1
        try:
            with transaction.atomic():
                entrant = Entrant.objects.create(
                    contest=contest,
                    organization=organization,
                    member=member,
                    name=(name or organization.name).strip(),
                    number=number,
                    story=story,
                    photo=photo or "",
                )
        except IntegrityError as exc:
            raise ValidationError({"organization": ["已经是本次考评的参评对象。"]}) from exc
        _forget_vote_target(contest)
        _audit(
            actor,
            AuditAction.CREATE,
            entrant,
            contest,
            after=snapshot(entrant, ["name", "organization", "member", "number"]),
        )
    return entrant


def path_in_scope_of(contest: Contest, organization: Organization) -> bool:
    root = contest.organization.path
    return organization.path.startswith(root)


def entrants_add_eligible(*, actor, contest: Contest) -> int:
    """Enter every eligible organization under the organizer at once (一键添加)."""
    require_manager(actor, contest)
    require_editable(contest)
    if contest.track in PERSON_TRACKS:
        raise ValidationError("个人类考评请逐个添加参评对象。")
    taken = set(contest.entrants.values_list("organization_id", flat=True))
    candidates = [
        o
        for o in Organization.objects.filter(path__startswith=contest.organization.path).order_by(
            "path"
        )
        if _eligible(contest, o) and o.pk not in taken and path_in_scope(actor, o.path)
    ]
    with transaction.atomic():
        start = contest.entrants.aggregate(n=Max("number"))["n"] or 0
        Entrant.objects.bulk_create(
            Entrant(contest=contest, organization=o, name=o.name, number=start + i)
            for i, o in enumerate(candidates, start=1)
        )
        _forget_vote_target(contest)
        if candidates:
            _audit(
                actor,
                AuditAction.CREATE,
                contest,
                contest,
                message=f"添加参评对象 {len(candidates)} 个",
            )
    return len(candidates)


def entrant_update(*, actor, entrant: Entrant, story: str | None = None, photo=None) -> Entrant:
    """Edit the public story and photo (事迹材料) of an entrant."""
    contest = entrant.contest
    require_entrant_scope(actor, entrant)
    require_editable(contest)
    if photo is not None and (problem := upload_error(photo, types=("jpg", "jpeg", "png"))):
        raise ValidationError({"photo": [problem]})
    before = snapshot(entrant, ["story", "photo"])
    with transaction.atomic():
        if story is not None:
            entrant.story = story
        if photo is not None:
            entrant.photo = photo
        entrant.save()
        _audit(
            actor,
            AuditAction.UPDATE,
            entrant,
            contest,
            before=before,
            after=snapshot(entrant, ["story", "photo"]),
        )
    return entrant


# --- indicator data, direct scores, bonus and penalty items -------------------------------


# Values are kept in ten-thousandths in a 64-bit integer and scored by integer arithmetic
# that multiplies them by up to 2·10⁴: below 10⁹ nothing can overflow.
MAX_INDICATOR_VALUE = 10**9


def _value_snapshot(item: IndicatorValue) -> dict:
    return {"value": str(item.value), "note": item.note, "evidence": item.evidence.name or ""}


def indicator_value_set(
    *, actor, entrant: Entrant, indicator: Indicator, value, note: str | None = None, evidence=None
) -> IndicatorValue:
    """Record an entrant's value on a leaf indicator (录入指标数据), replacing an earlier one;
    without a `note` (the grid page has none) an earlier note is kept."""
    contest = entrant.contest
    require_entrant_scope(actor, entrant)
    require_editable(contest)
    errors: dict[str, list[str]] = {}
    if indicator.stage.contest_id != contest.pk:
        errors["indicator"] = ["该指标不属于本次考评。"]
    elif indicator.children.exists():
        errors["indicator"] = [f"“{indicator.name}”下设子指标，请录入各子指标的数值。"]
    number = _decimal(value, "value", errors, label="数值")
    if number is not None and abs(number) >= MAX_INDICATOR_VALUE:
        errors["value"] = [f"数值的绝对值应小于 {MAX_INDICATOR_VALUE:,}。"]
    elif number is not None and number != number.quantize(Decimal("0.0001")):
        errors["value"] = ["数值最多保留 4 位小数。"]
    if evidence is not None and (problem := upload_error(evidence)):
        errors["evidence"] = [problem]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = (
            IndicatorValue.objects.select_for_update()
            .filter(indicator=indicator, entrant=entrant)
            .first()
        )
        before = _value_snapshot(current) if current else None
        item = current or IndicatorValue(indicator=indicator, entrant=entrant)
        item.scaled = int(number.scaleb(4))
        if note is not None:
            item.note = note[:200]
        item.entered_by = actor
        if evidence is not None:
            item.evidence = evidence
        item.save()
        after = _value_snapshot(item)
        if before != after:
            _audit(
                actor,
                AuditAction.UPDATE if current else AuditAction.CREATE,
                item,
                contest,
                before=before,
                after=after,
                target_repr=f"{entrant.name}·{indicator.name}",
            )
    return item


def indicator_value_evidence_set(
    *, actor, entrant: Entrant, indicator: Indicator, evidence
) -> IndicatorValue:
    """Attach or replace the evidence (佐证材料) of a value already entered, leaving the value
    itself as it is. The earlier file stays in storage: the audit row still names it."""
    contest = entrant.contest
    require_entrant_scope(actor, entrant)
    require_editable(contest)
    if indicator.stage.contest_id != contest.pk:
        raise ValidationError({"indicator": ["该指标不属于本次考评。"]})
    if evidence is None:
        raise ValidationError({"evidence": ["请选择要上传的佐证材料。"]})
    if problem := upload_error(evidence):
        raise ValidationError({"evidence": [problem]})
    with transaction.atomic():
        item = (
            IndicatorValue.objects.select_for_update()
            .filter(indicator=indicator, entrant=entrant)
            .first()
        )
        if item is None:
            raise ValidationError({"value": ["还没有录入数值，请先录入数值再上传佐证材料。"]})
        before = _value_snapshot(item)
        item.evidence, item.entered_by = evidence, actor
        item.save(update_fields=["evidence", "entered_by", "entered_at"])
        _audit(
            actor,
            AuditAction.UPDATE,
            item,
            contest,
            before=before,
            after=_value_snapshot(item),
            message="上传佐证材料",
            target_repr=f"{entrant.name}·{indicator.name}",
        )
    return item


def direct_score_set(
    *, actor, entrant: Entrant, stage: Stage, score, rater_group: RaterGroup | None = None
) -> DirectScore:
    """Record a public report's score or one rater group's appraisal score, on 0–100."""
    contest = entrant.contest
    require_manager(actor, contest)
    require_editable(contest)
    errors: dict[str, list[str]] = {}
    if stage.contest_id != contest.pk or stage.kind not in (
        StageKind.PUBLIC_REPORT,
        StageKind.APPRAISAL,
    ):
        errors["stage"] = ["该环节不能直接录入得分。"]
    elif stage.kind == StageKind.APPRAISAL and (
        rater_group is None or rater_group.stage_id != stage.pk
    ):
        errors["rater_group"] = ["请选择本环节的测评主体。"]
    elif stage.kind == StageKind.PUBLIC_REPORT:
        rater_group = None
    number = _decimal(score, "score", errors, label="得分")
    if number is not None and not Decimal(0) <= number <= scoring.HUNDRED:
        errors["score"] = ["得分应在 0 到 100 之间。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item, created = DirectScore.objects.select_for_update().get_or_create(
            stage=stage,
            entrant=entrant,
            rater_group=rater_group,
            defaults={"score": number, "entered_by": actor},
        )
        before = None if created else {"score": str(item.score)}
        item.score, item.entered_by = scoring.q2(number), actor
        item.save()
        _audit(
            actor,
            AuditAction.CREATE if created else AuditAction.UPDATE,
            item,
            contest,
            before=before,
            after={"score": str(item.score)},
            target_repr=f"{entrant.name}·{stage.name}",
        )
    return item


def adjustment_request(
    *, actor, entrant: Entrant, kind: str, amount, reason: str, evidence
) -> Adjustment:
    """Propose a bonus or penalty item (申报加减分) with reason and evidence; it counts only once
    the organizer approves it."""
    contest = entrant.contest
    require_entrant_scope(actor, entrant)
    require_editable(contest)
    errors: dict[str, list[str]] = {}
    if kind not in AdjustmentKind.values:
        errors["kind"] = ["请选择加分或减分。"]
    number = _decimal(amount, "amount", errors, label="分值")
    limit = contest.bonus_limit if kind == AdjustmentKind.BONUS else contest.penalty_limit
    if number is not None and not Decimal(0) < number <= limit:
        errors["amount"] = [f"分值应大于 0 且不超过上限 {limit} 分。"]
    if not (reason or "").strip():
        errors["reason"] = ["请写明加减分事由。"]
    if evidence is None:
        errors["evidence"] = ["请上传佐证材料。"]
    elif problem := upload_error(evidence):
        errors["evidence"] = [problem]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = Adjustment.objects.create(
            contest=contest,
            entrant=entrant,
            kind=kind,
            amount=scoring.q2(number),
            reason=reason.strip()[:200],
            evidence=evidence,
            requested_by=actor,
        )
        _audit(
            actor,
            AuditAction.CREATE,
            item,
            contest,
            after=snapshot(item, ["entrant", "kind", "amount", "reason"]),
            target_repr=f"{entrant.name}·{item.get_kind_display()}",
        )
    return item


def adjustment_decide(
    *, actor, adjustment: Adjustment, approve: bool, note: str = ""
) -> Adjustment:
    """The organizer (county) approves or rejects a bonus or penalty item (审核加减分). Approved
    items of one kind may not exceed the contest's limit for an entrant together."""
    contest = adjustment.contest
    require_manager(actor, contest)
    require_editable(contest)
    if not approve and not note.strip():
        raise ValidationError({"decision_note": ["不批准时请写明理由。"]})
    with transaction.atomic():
        # The entrant's row is locked first, so two approvals for one entrant cannot both pass
        # the limit at the same moment.
        Entrant.objects.select_for_update().filter(pk=adjustment.entrant_id).first()
        item = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
        if item.status != DecisionStatus.PENDING:
            raise ValidationError("该加减分项已经审核过。")
        if item.requested_by_id == actor.pk:
            raise ValidationError("不能审核自己申报的加减分项。")
        if approve:
            approved = sum(
                Adjustment.objects.filter(
                    entrant=item.entrant, kind=item.kind, status=DecisionStatus.APPROVED
                ).values_list("amount", flat=True),
                Decimal(0),
            )
            limit = (
                contest.bonus_limit if item.kind == AdjustmentKind.BONUS else contest.penalty_limit
            )
            if approved + item.amount > limit:
                raise ValidationError(
                    f"批准后{item.get_kind_display()}合计 {approved + item.amount} 分，超过上限 {limit} 分。"
                )
        item.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        item.decided_by, item.decided_at, item.decision_note = (
            actor,
            timezone.now(),
            note.strip()[:200],
        )
        item.save()
        _audit(
            actor,
            AuditAction.UPDATE,
            item,
            contest,
            before={"status": "pending"},
            after={"status": item.status, "note": item.decision_note},
        )
    return item


# --- judges' panel --------------------------------------------------------------------------


def judge_seat(*, actor, stage: Stage, judge) -> JudgeSeat:
    """Seat a judge on a judges' stage (聘请评委). The user must hold the judge role."""
    contest = stage.contest
    require_manager(actor, contest)
    require_editable(contest)
    if stage.kind != StageKind.JUDGES:
        raise ValidationError("只有评委评分环节可以安排评委。")
    if not has_role(judge, Role.JUDGE):
        raise ValidationError({"judge": ["该账号没有评委角色，请先由系统管理员授予。"]})
    if stage.appearances.exists():
        # Every entrant needs a sheet from every seat: a judge added after the first entrant
        # was called could never score the ones already closed.
        raise ValidationError({"judge": ["本环节已开始现场评分，不能再增加评委。"]})
    with transaction.atomic():
        if JudgeSeat.objects.filter(stage=stage, judge=judge).exists():
            raise ValidationError({"judge": ["该评委已在本环节。"]})
        seat_no = (stage.seats.aggregate(n=Max("seat_no"))["n"] or 0) + 1
        seat = JudgeSeat.objects.create(stage=stage, judge=judge, seat_no=seat_no)
        _audit(
            actor,
            AuditAction.CREATE,
            seat,
            contest,
            after={"judge": judge.get_username(), "seat_no": seat_no},
            target_repr=f"{stage.name}·{seat_no}号评委",
        )
    return seat


def appearance_open(*, actor, stage: Stage, entrant: Entrant) -> Appearance:
    """Call an entrant to the stage (上场): the judges can now score it."""
    contest = stage.contest
    require_manager(actor, contest)
    require_editable(contest)
    if contest.status == ContestStatus.DRAFT:
        raise ValidationError("考评尚未开始。")
    if stage.kind != StageKind.JUDGES or entrant.contest_id != contest.pk:
        raise ValidationError("该对象不能在本环节上场。")
    with transaction.atomic():
        Stage.objects.select_for_update().filter(pk=stage.pk).first()
        if stage.appearances.filter(status=AppearanceStatus.OPEN).exclude(entrant=entrant).exists():
            raise ValidationError("还有参评对象正在评分，请先结束其评分。")
        appearance, _ = Appearance.objects.get_or_create(
            stage=stage,
            entrant=entrant,
            defaults={"order": (stage.appearances.aggregate(n=Max("order"))["n"] or 0) + 1},
        )
        if appearance.status == AppearanceStatus.CLOSED:
            raise ValidationError("该对象的评分已经结束。")
        appearance.status = AppearanceStatus.OPEN
        appearance.save(update_fields=["status"])
        _audit(
            actor,
            AuditAction.UPDATE,
            appearance,
            contest,
            after={"status": "open"},
            target_repr=f"{stage.name}·{entrant.name}",
        )
    return appearance


def appearance_close(*, actor, appearance: Appearance) -> Appearance:
    """End an entrant's scoring (结束评分); its scores are then shown on the board."""
    stage = appearance.stage
    require_manager(actor, stage.contest)
    require_editable(stage.contest)
    with transaction.atomic():
        appearance = Appearance.objects.select_for_update().get(pk=appearance.pk)
        if appearance.status != AppearanceStatus.OPEN:
            raise ValidationError("该对象不在评分中。")
        submitted = ScoreSheet.objects.filter(stage=stage, entrant=appearance.entrant).count()
        seats = stage.seats.count()
        if submitted < seats:
            raise ValidationError(f"还有 {seats - submitted} 位评委没有提交评分。")
        appearance.status = AppearanceStatus.CLOSED
        appearance.save(update_fields=["status"])
        _audit(
            actor,
            AuditAction.UPDATE,
            appearance,
            stage.contest,
            before={"status": "open"},
            after={"status": "closed"},
            target_repr=f"{stage.name}·{appearance.entrant.name}",
        )
    return appearance


def _check_marks(stage: Stage, marks: dict) -> dict[str, Decimal]:
    criteria = {str(c.pk): c for c in stage.criteria.all()}
    errors: list[str] = []
    clean: dict[str, Decimal] = {}
    given = {str(k): v for k, v in (marks or {}).items()}
    for key, criterion in criteria.items():
        raw = given.get(key)
        if raw in (None, ""):
            errors.append(f"请给“{criterion.name}”打分。")
            continue
        bucket: dict[str, list[str]] = {}
        value = _decimal(raw, "marks", bucket, label=f"“{criterion.name}”的得分")
        if value is None:
            errors.extend(bucket["marks"])
        elif not Decimal(0) <= value <= criterion.max_score:
            errors.append(f"“{criterion.name}”的得分应在 0 到 {criterion.max_score} 之间。")
        elif value != value.quantize(Decimal("0.1")):
            errors.append(f"“{criterion.name}”的得分最多保留一位小数。")
        else:
            clean[key] = value
    if set(given) - set(criteria):
        errors.append("提交了本环节以外的评分项。")
    if errors:
        raise ValidationError({"marks": errors})
    return clean


def sheet_submit(*, judge, stage: Stage, entrant: Entrant, marks: dict) -> ScoreSheet:
    """A seated judge submits their scores for the entrant on stage (提交评分), once."""
    contest = stage.contest
    if not JudgeSeat.objects.filter(stage=stage, judge=judge).exists():
        raise deny(judge, target=stage, message="未受聘的评委试图评分")
    require_editable(contest)
    if not Appearance.objects.filter(
        stage=stage, entrant=entrant, status=AppearanceStatus.OPEN
    ).exists():
        raise ValidationError("该对象现在不在评分中。")
    clean = _check_marks(stage, marks)
    total = sum(clean.values(), Decimal(0))
    try:
        with transaction.atomic():
            sheet = ScoreSheet.objects.create(
                stage=stage,
                entrant=entrant,
                judge=judge,
                marks={k: str(v) for k, v in clean.items()},
                total=total,
            )
            _audit(
                judge,
                AuditAction.CREATE,
                sheet,
                contest,
                after={"marks": sheet.marks, "total": str(total)},
                target_repr=f"{stage.name}·{entrant.name}",
            )
    except IntegrityError as exc:
        # The unique constraint decides, not a read before the write: two taps submit once.
        raise ValidationError("您已提交过对该对象的评分；如需更正，请申请更正。") from exc
    return sheet


def correction_request(*, judge, sheet: ScoreSheet, marks: dict, reason: str) -> ScoreCorrection:
    """A judge asks to correct a submitted sheet (申请更正评分), with a reason."""
    if sheet.judge_id != judge.pk:
        raise deny(judge, target=sheet, message="试图更正他人的评分")
    require_editable(sheet.stage.contest)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请写明更正理由。"]})
    clean = _check_marks(sheet.stage, marks)
    with transaction.atomic():
        if sheet.corrections.filter(status=DecisionStatus.PENDING).exists():
            raise ValidationError("已有一条更正申请待审核。")
        item = ScoreCorrection.objects.create(
            sheet=sheet, marks={k: str(v) for k, v in clean.items()}, reason=reason.strip()[:200]
        )
        _audit(
            judge,
            AuditAction.CREATE,
            item,
            sheet.stage.contest,
            before=sheet.marks,
            after=item.marks,
            message=item.reason,
        )
    return item


def correction_decide(*, actor, correction: ScoreCorrection, approve: bool) -> ScoreCorrection:
    """The contest secretary (the organizer's staff) approves or rejects a correction."""
    sheet = correction.sheet
    contest = sheet.stage.contest
    require_manager(actor, contest)
    require_editable(contest)
    with transaction.atomic():
        item = ScoreCorrection.objects.select_for_update().get(pk=correction.pk)
        if item.status != DecisionStatus.PENDING:
            raise ValidationError("该更正申请已经审核过。")
        if sheet.judge_id == actor.pk:
            raise ValidationError("不能审核自己的评分更正申请。")
        item.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        item.decided_by, item.decided_at = actor, timezone.now()
        item.save()
        before = {"marks": sheet.marks, "total": str(sheet.total)}
        if approve:
            sheet.marks = item.marks
            sheet.total = sum((Decimal(v) for v in item.marks.values()), Decimal(0))
            sheet.save(update_fields=["marks", "total"])
        _audit(
            actor,
            AuditAction.UPDATE,
            sheet,
            contest,
            before=before,
            after={"marks": sheet.marks, "total": str(sheet.total), "correction": item.status},
            message=item.reason,
        )
    return item


# --- results --------------------------------------------------------------------------------


def result_compute(*, actor, contest: Contest) -> ResultVersion:
    """Compute the standings into the draft version (计算结果); refused with every reason when
    scores are missing or a rule cannot be applied."""
    from .selectors import contest_standings

    require_manager(actor, contest)
    if contest.status not in (ContestStatus.RUNNING, ContestStatus.REVISING):
        raise ValidationError("考评进行中或更正中才能计算结果。")
    computed = contest_standings(contest=contest)
    if computed.problems:
        raise ValidationError(computed.problems)
    with transaction.atomic():
        Contest.objects.select_for_update().filter(pk=contest.pk).first()
        version = contest.versions.filter(status=VersionStatus.DRAFT).first()
        if version is None:
            number = (contest.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version = ResultVersion.objects.create(
                contest=contest, number=number, reason=_pending_reason(contest)
            )
        version.rows.all().delete()
        ResultRow.objects.bulk_create(ResultRow(version=version, **row) for row in computed.rows)
        version.save()
        _audit(
            actor,
            AuditAction.UPDATE,
            version,
            contest,
            message=f"计算结果（第 {version.number} 版）",
            target_repr=f"{contest.name} 第 {version.number} 版结果",
        )
    return version


def _pending_reason(contest: Contest) -> str:
    return contest.revision_reason if contest.status == ContestStatus.REVISING else ""


def result_publish(*, actor, version: ResultVersion) -> ResultVersion:
    """Publish a draft result (发布结果): it and every input become read-only; the version it
    corrects stays visible as superseded; each black-listed entrant gets a supervision case."""
    from .selectors import contest_standings

    contest = version.contest
    require_manager(actor, contest)
    with transaction.atomic():
        Contest.objects.select_for_update().filter(pk=contest.pk).first()
        version = ResultVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != VersionStatus.DRAFT:
            raise ValidationError("只有草稿结果可以发布。")
        # What is published must be what the data say now: values, votes or approvals that
        # arrived after "计算结果" would otherwise be left out and then locked.
        fresh = contest_standings(contest=contest)
        stored = {
            r.entrant_id: (r.final, r.rank, r.list_mark, r.selected, r.tier)
            for r in version.rows.all()
        }
        now = {
            r["entrant_id"]: (r["final"], r["rank"], r["list_mark"], r["selected"], r["tier"])
            for r in fresh.rows
        }
        if fresh.problems or stored != now:
            raise ValidationError("计算结果之后数据又有变化，请重新计算结果后再发布。")
        contest.versions.filter(status=VersionStatus.PUBLISHED).update(
            status=VersionStatus.SUPERSEDED
        )
        version.status = VersionStatus.PUBLISHED
        version.published_at, version.published_by = timezone.now(), actor
        version.save()
        _forget_vote_target(contest)
        contest.status = ContestStatus.PUBLISHED
        contest.revision_reason = ""
        contest.save(update_fields=["status", "revision_reason"])
        deadline = timezone.localdate() + timedelta(days=contest.supervision_days)
        listed = set(
            version.rows.filter(list_mark=ListMark.BLACK).values_list("entrant_id", flat=True)
        )
        # A correction that takes an entrant off the black list closes its open case.
        contest.cases.filter(status=CaseStatus.OPEN).exclude(entrant_id__in=listed).update(
            status=CaseStatus.CLOSED,
            resolution=f"第 {version.number} 版结果更正后不再列入黑榜。",
            closed_at=timezone.now(),
        )
        open_cases = set(
            contest.cases.filter(status=CaseStatus.OPEN).values_list("entrant_id", flat=True)
        )
        SupervisionCase.objects.bulk_create(
            SupervisionCase(
                contest=contest, version=version, entrant_id=e, owner=actor, deadline=deadline
            )
            for e in listed
            if e not in open_cases
        )
        _audit(
            actor,
            AuditAction.UPDATE,
            version,
            contest,
            after={"status": "published", "number": version.number},
            target_repr=f"{contest.name} 第 {version.number} 版结果",
        )
    return version


def result_revise(*, actor, contest: Contest, reason: str) -> Contest:
    """Open a correction of a published result (发起更正): inputs unlock; the next computed
    result is a new version carrying the reason, and the published one stays until replaced."""
    require_manager(actor, contest)
    if contest.status != ContestStatus.PUBLISHED:
        raise ValidationError("只有已发布的结果可以更正。")
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请写明更正理由。"]})
    with transaction.atomic():
        _forget_vote_target(contest)
        contest.status = ContestStatus.REVISING
        contest.revision_reason = reason.strip()[:200]
        contest.save(update_fields=["status", "revision_reason"])
        _audit(
            actor,
            AuditAction.UPDATE,
            contest,
            contest,
            before={"status": "published"},
            after={"status": "revising"},
            message=contest.revision_reason,
        )
    return contest


def case_close(*, actor, case: SupervisionCase, resolution: str) -> SupervisionCase:
    """Close a supervision case (督办办结) with what was done. The organizer closes it, after
    the township reports: a black-listed village does not sign off its own supervision."""
    require_manager(actor, case.contest)
    if case.status != CaseStatus.OPEN:
        raise ValidationError("该督办事项已经办结。")
    if not (resolution or "").strip():
        raise ValidationError({"resolution": ["请填写整改情况。"]})
    with transaction.atomic():
        case.status, case.resolution, case.closed_at = (
            CaseStatus.CLOSED,
            resolution.strip(),
            timezone.now(),
        )
        case.save()
        _audit(
            actor,
            AuditAction.UPDATE,
            case,
            case.contest,
            before={"status": "open"},
            after={"status": "closed", "resolution": case.resolution},
        )
    return case


# --- public vote ----------------------------------------------------------------------------

MOBILE_RX = re.compile(r"\A1[3-9][0-9]{9}\Z")
CODE_TTL = timedelta(minutes=10)
CODE_ATTEMPTS = 5
VOTER_SALT = "zuzhi.contests.voter"
VOTER_MAX_AGE = 24 * 3600


class VoteRefused(ValidationError):
    """A vote or code request that a rule refuses; `status` is the HTTP answer for it."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Voter:
    """A verified phone: its keyed digest and last four digits, never the number itself."""

    phone_digest: str
    phone_tail: str


def _phone_digest(phone: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"phone:{phone}".encode(), hashlib.sha256
    ).hexdigest()


def _code_digest(phone: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"code:{phone}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def _ip_allowed(ip: str | None, *, bucket: str, limit: int) -> bool:
    """A per-IP counter per minute in the cache every server process shares."""
    if not ip or limit <= 0:
        return True
    cache = caches["shared"]
    key = f"rate:{bucket}:{ip}:{int(time.time() // 60)}"
    cache.add(key, 0, 120)
    try:
        return cache.incr(key) <= limit
    except ValueError:
        return True


def public_vote_stage(contest: Contest) -> Stage | None:
    return contest.stages.filter(kind=StageKind.PUBLIC_VOTE).first()


def voting_state(stage: Stage) -> str:
    """Why voting is closed, or "" while it is open."""
    now = timezone.now()
    if stage.contest.status != ContestStatus.RUNNING:
        return "投票未开放。"
    if stage.vote_opens_at and now < stage.vote_opens_at:
        return f"投票将于 {timezone.localtime(stage.vote_opens_at):%Y-%m-%d %H:%M} 开始。"
    if stage.vote_closes_at and now >= stage.vote_closes_at:
        return "投票已经结束。"
    return ""


def vote_code_send(*, contest: Contest, phone: str, ip: str | None) -> None:
    """Send a one-time code to a voter's phone (发送验证码)."""
    phone = (phone or "").strip()
    if not MOBILE_RX.match(phone):
        raise VoteRefused("请输入 11 位手机号码。")
    stage = public_vote_stage(contest)
    if stage is None or (reason := voting_state(stage)):
        raise VoteRefused(reason if stage else "本次评选没有群众投票。")
    if not _ip_allowed(ip, bucket="code", limit=settings.ZUZHI_VOTE_IP_PER_MINUTE):
        raise VoteRefused("操作过于频繁，请稍后再试。", status=429)
    digest = _phone_digest(phone)
    now = timezone.now()
    recent = VoteCode.objects.filter(phone_digest=digest, created_at__gte=now - timedelta(days=1))
    if recent.filter(created_at__gte=now - timedelta(seconds=60)).exists():
        raise VoteRefused("验证码已发送，请 60 秒后再试。", status=429)
    if recent.count() >= settings.ZUZHI_VOTE_CODES_PER_PHONE_PER_DAY:
        raise VoteRefused("该手机号今天获取验证码的次数已达上限。", status=429)
    code = f"{secrets.randbelow(10**6):06d}"
    VoteCode.objects.create(
        phone_digest=digest, code_digest=_code_digest(phone, code), expires_at=now + CODE_TTL
    )
    sms_backend().send(
        phone=phone, message=f"您正在参加“{contest.name}”投票，验证码 {code}，10 分钟内有效。"
    )


def vote_code_verify(*, phone: str, code: str, ip: str | None = None) -> Voter:
    """Check a code (校验验证码); each code works once, and five wrong tries spoil it."""
    phone, code = (phone or "").strip(), (code or "").strip()
    if not MOBILE_RX.match(phone):
        raise VoteRefused("请输入 11 位手机号码。")
    if not _ip_allowed(ip, bucket="verify", limit=settings.ZUZHI_VOTE_IP_PER_MINUTE):
        raise VoteRefused("操作过于频繁，请稍后再试。", status=429)
    digest = _phone_digest(phone)
    with transaction.atomic():
        item = (
            VoteCode.objects.select_for_update()
            .filter(phone_digest=digest, used=False, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if item is None or item.attempts >= CODE_ATTEMPTS:
            raise VoteRefused("验证码已失效，请重新获取。")
        right = hmac.compare_digest(item.code_digest, _code_digest(phone, code))
        if right:
            item.used = True
        else:
            # Counted in this transaction, which commits: the refusal is raised after it.
            item.attempts += 1
        item.save(update_fields=["used", "attempts"])
    if not right:
        raise VoteRefused("验证码不正确。")
    return Voter(phone_digest=digest, phone_tail=phone[-4:])


def voter_token(voter: Voter) -> str:
    """A signed token standing for a verified phone for a day (stored in a cookie)."""
    return signing.dumps({"d": voter.phone_digest, "t": voter.phone_tail}, salt=VOTER_SALT)


def voter_from_token(token: str | None) -> Voter | None:
    if not token:
        return None
    try:
        data = signing.loads(token, salt=VOTER_SALT, max_age=VOTER_MAX_AGE)
        return Voter(phone_digest=data["d"], phone_tail=data["t"])
    except (signing.BadSignature, KeyError, TypeError):
        return None


_QUOTA_SQL = (
    "INSERT INTO {quota} (stage_id, key, used, cap) VALUES {rows} "
    "ON CONFLICT (stage_id, key) DO UPDATE SET used = {quota}.used + 1 "
    "WHERE {quota}.used < {quota}.cap RETURNING key"
)
_VOTE_COLUMNS = "stage_id, entrant_id, phone_digest, phone_tail, device, ip, day, cast_at, voided"
# PostgreSQL: the limits and the vote in one statement, one round trip. The vote's entrant is
# NULL unless every limit was raised, so a refused vote breaks the ledger's NOT NULL rule and
# the whole statement, the raised limits included, is undone.
_VOTE_SQL_ONE_STATEMENT = (
    "WITH raised AS (" + _QUOTA_SQL + "), "
    "vote AS (INSERT INTO {vote} (" + _VOTE_COLUMNS + ", void_reason) SELECT %s, "
    "CASE WHEN (SELECT COUNT(*) FROM raised) = {count} THEN %s END, "
    "%s, %s, %s, CAST(%s AS inet), %s, %s, false, '' RETURNING id) SELECT id FROM vote"
)
_QUOTA_ROW_TYPES = ["bigint", "varchar", "integer"]
_VOTE_TYPES = ["bigint", "bigint", "varchar", "varchar", "varchar", "text", "date", "timestamptz"]


def vote_cast(*, stage: Stage, entrant_id, voter: Voter, device: str, ip: str | None) -> int:
    """Record one public vote (投票) and return its id in the ledger. Every limit is a counter
    row that one upsert raises only while it is below its cap, in the same transaction as the
    vote: concurrent requests from one phone can never pass a limit, because the database
    decides, not a read before the write. Either every limit is raised and the vote written,
    or nothing is."""
    from .selectors import vote_target

    target = vote_target(contest_id=stage.contest_id)
    if target is None:
        raise VoteRefused("本次评选没有群众投票。", status=404)
    stage = target.stage
    if reason := voting_state(stage):
        raise VoteRefused(reason, status=403)
    try:
        entrant_id = int(entrant_id)
    except (TypeError, ValueError) as exc:
        raise VoteRefused("没有这个参评对象。", status=404) from exc
    if entrant_id not in target.entrant_ids:
        raise VoteRefused("没有这个参评对象。", status=404)
    if not _ip_allowed(ip, bucket="vote", limit=settings.ZUZHI_VOTE_IP_PER_MINUTE):
        raise VoteRefused("投票过于频繁，请稍后再试。", status=429)
    day = timezone.localdate()
    who = voter.phone_digest
    limits = {
        f"d:{who}:{day:%Y%m%d}": (
            stage.votes_per_day,
            f"每人每天限投 {stage.votes_per_day} 票，今天的票已投完。",
        )
    }
    if stage.votes_per_entrant:
        limits[f"e:{who}:{entrant_id}"] = (
            stage.votes_per_entrant,
            f"对同一对象每人限投 {stage.votes_per_entrant} 票。",
        )
    if stage.votes_total:
        limits[f"t:{who}"] = (
            stage.votes_total,
            f"每人总共限投 {stage.votes_total} 票，您的票已投完。",
        )
    quota, count = VoteQuota._meta.db_table, len(limits)
    rows = ", ".join(["(%s, %s, 1, %s)"] * count)
    params = [v for key, (cap, _) in limits.items() for v in (stage.pk, key, cap)]
    vote = [stage.pk, entrant_id, who, voter.phone_tail, _device(device), ip or None, day]
    # The time as the ORM would store it (SQLite keeps it as text, naive UTC).
    cast_at = connection.ops.adapt_datetimefield_value(timezone.now())
    if connection.vendor == "postgresql":
        sql = _VOTE_SQL_ONE_STATEMENT.format(
            quota=quota, rows=rows, vote=Vote._meta.db_table, count=count
        )
        try:
            # In autocommit the statement is its own transaction; inside one, a savepoint.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                return fetch_one_prepared(
                    name=f"zuzhi_vote_{count}",
                    sql=sql,
                    types=_QUOTA_ROW_TYPES * count + _VOTE_TYPES,
                    params=params + vote + [cast_at],
                )[0]
        except IntegrityError:
            full = set(
                VoteQuota.objects.filter(
                    stage=stage, key__in=list(limits), used__gte=F("cap")
                ).values_list("key", flat=True)
            )
            if not full:
                raise
            raise VoteRefused(_first_refusal(limits, full), status=409) from None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_QUOTA_SQL.format(quota=quota, rows=rows), params)
        full = set(limits) - {row[0] for row in cursor.fetchall()}
        if full:
            transaction.set_rollback(True)
            raise VoteRefused(_first_refusal(limits, full), status=409)
        cursor.execute(
            f"INSERT INTO {Vote._meta.db_table} ({_VOTE_COLUMNS}, void_reason) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, '') RETURNING id",
            vote + [cast_at, False],
        )
        return cursor.fetchone()[0]


def _device(value: str | None) -> str:
    """The device cookie (the public page sets a hex token), or "" when it is not plain
    printable ASCII: it is the client's word, and a NUL in it would be an error in PostgreSQL."""
    value = (value or "")[:32]
    return value if value.isascii() and value.isprintable() else ""


def _first_refusal(limits: dict[str, tuple[int, str]], full: set[str]) -> str:
    """The message of the first limit, in the order the rules list them, that is used up."""
    return next(message for key, (_, message) in limits.items() if key in full)


def votes_void(*, actor, stage: Stage, vote_ids: list[int], reason: str) -> int:
    """Void suspicious votes (作废可疑选票) with a reason; they stay in the ledger, uncounted."""
    contest = stage.contest
    require_manager(actor, contest)
    require_editable(contest)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请写明作废理由。"]})
    with transaction.atomic():
        ids = list(
            Vote.objects.filter(stage=stage, pk__in=vote_ids, voided=False).values_list(
                "pk", flat=True
            )
        )
        if not ids:
            raise ValidationError("没有可作废的选票。")
        Vote.objects.filter(pk__in=ids).update(voided=True, void_reason=reason.strip()[:200])
        _audit(
            actor,
            AuditAction.UPDATE,
            stage,
            contest,
            after={"voided_votes": ids, "reason": reason.strip()},
            message=f"作废选票 {len(ids)} 张",
        )
    caches["shared"].delete(f"vote-totals:{stage.pk}")
    return len(ids)
