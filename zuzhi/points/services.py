"""Member points (党员积分管理): rules configured by the county, manual entries with reasons.

Points from meetings and appraisals are not entered at all: selectors derive them from the
records, so nothing is typed twice.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import Http404

from zuzhi.core.audit import audit_record, changed_fields, snapshot
from zuzhi.core.models import AuditAction
from zuzhi.core.roles import Role
from zuzhi.core.scope import acting_user, has_role, require_in_scope
from zuzhi.members.models import Member

from .models import PointEntry, PointRule, RuleKind, RuleSource
from .tally import points_refresh
from .tasks import refresh_points


def point_entry_add(
    *,
    actor,
    member: Member,
    rule: PointRule,
    day: datetime.date,
    reason: str,
    points: int | None = None,
) -> PointEntry:
    """Record a manual entry (登记积分): a bonus or deduction under a manual rule, with a reason."""
    require_in_scope(
        actor, member.organization.path, target=member, message="试图为权限范围以外的党员登记积分"
    )
    points = rule.points if points is None else points
    errors: dict[str, list[str]] = {}
    if rule.source != RuleSource.MANUAL or not rule.is_active:
        errors["rule"] = ["这条规则的积分由系统根据已有记录自动计算，不能手工登记。"]
    if not reason.strip():
        errors["reason"] = ["请写明加减分原因。"]
    if rule.kind == RuleKind.BONUS and points <= 0:
        errors["points"] = ["加分应为正数。"]
    if rule.kind == RuleKind.DEDUCTION and points >= 0:
        errors["points"] = ["减分应为负数。"]
    if rule.yearly_cap and not errors:
        used = (
            PointEntry.objects.filter(member=member, rule=rule, year=day.year).aggregate(
                s=Sum("points")
            )["s"]
            or 0
        )
        if abs(used + points) > rule.yearly_cap:
            errors["points"] = [f"“{rule.name}”每年最多 {rule.yearly_cap} 分，已有 {used} 分。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = PointEntry.objects.create(
            member=member,
            rule=rule,
            year=day.year,
            day=day,
            points=points,
            reason=reason.strip(),
            recorded_by=acting_user(actor),
        )
        points_refresh(member_ids=[member.pk], years=[day.year])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=entry,
            org_path=member.organization.path,
            after=snapshot(entry),
        )
    return entry


def point_rule_update(*, actor, rule: PointRule, data: dict) -> PointRule:
    """Change a rule (修改积分规则): the county department only."""
    if not has_role(actor, Role.COUNTY_STAFF):
        raise Http404("未找到该规则。")
    with transaction.atomic():
        before = snapshot(rule)
        for field in ("name", "points", "yearly_cap", "is_active"):
            if field in data:
                setattr(rule, field, data[field])
        if (
            rule.kind == RuleKind.BONUS
            and rule.points < 0
            or rule.kind == RuleKind.DEDUCTION
            and rule.points > 0
        ):
            raise ValidationError({"points": ["加分规则的分值应为正数，减分规则的分值应为负数。"]})
        rule.save()
        old, new = changed_fields(before, snapshot(rule))
        if new:
            audit_record(actor=actor, action=AuditAction.UPDATE, target=rule, before=old, after=new)
            if {"points", "yearly_cap", "is_active"} & set(new):
                # Every member's kept points follow the rules: recomputed in the worker.
                transaction.on_commit(refresh_points.enqueue)
    return rule
