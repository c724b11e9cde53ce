"""Writes of the county joint review (县级联审); each audited in its own transaction."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from zuzhi.core import idnumber
from zuzhi.core.audit import audit_bulk_record, audit_record
from zuzhi.core.models import AuditAction
from zuzhi.core.roles import Role
from zuzhi.core.scope import acting_user, deny, has_role, is_system, path_in, role_paths

from .models import (
    Department,
    ReviewDecision,
    ReviewerDepartment,
    ReviewItem,
    ReviewRound,
    RoundKind,
    RoundStatus,
    Verdict,
)
from .rules import DEFAULT_DEPARTMENTS, ROUND_ROLES


def departments_load_defaults(*, actor) -> list[Department]:
    """Create the default twelve departments that are missing (a default: the county may
    rename, add or deactivate departments afterwards)."""
    created = []
    with transaction.atomic():
        for order, name in enumerate(DEFAULT_DEPARTMENTS, start=1):
            department, new = Department.objects.get_or_create(name=name, defaults={"order": order})
            if new:
                created.append(department)
        audit_bulk_record(
            actor=actor,
            action=AuditAction.CREATE,
            items=[(d, "", {"name": d.name, "order": d.order}) for d in created],
        )
    return created


def _require_round_role(actor, path: str) -> None:
    roots = role_paths(actor, *ROUND_ROLES)
    if not (is_system(actor) or any(path_in(path, root) for root in roots)):
        raise deny(actor, message="发起或管理县级联审需要县委组织部工作人员或干部科角色。")


def _require_department_admin(actor, target=None) -> None:
    if not (is_system(actor) or has_role(actor, Role.COUNTY_STAFF)):
        raise deny(actor, target=target, message="只有县委组织部工作人员可以设置联审部门。")


def department_save(
    *, actor, department: Department | None = None, name: str, active: bool = True
) -> Department:
    """Add a participating department or rename / (de)activate one (配置联审部门). A
    deactivated department keeps its past answers and takes part in no new round."""
    _require_department_admin(actor, department)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["请填写部门名称。"]})
    clash = Department.objects.filter(name=name)
    if department is not None:
        clash = clash.exclude(pk=department.pk)
    if clash.exists():
        raise ValidationError({"name": [f"已有名为“{name}”的联审部门。"]})
    with transaction.atomic():
        before = None
        if department is None:
            last = Department.objects.order_by("-order").values_list("order", flat=True).first()
            department = Department(order=(last or 0) + 1)
        else:
            before = {"name": department.name, "active": department.active}
        department.name, department.active = name, active
        department.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            target=department,
            before=before,
            after={"name": name, "active": active},
            message="配置联审部门",
        )
    return department


def reviewer_department_remove(*, actor, link: ReviewerDepartment) -> None:
    """Take a reviewer off a department (取消审核人); their past answers stay."""
    _require_department_admin(actor, link)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=link,
            before={"user": link.user.get_username(), "department": link.department.name},
            message="取消联审部门审核人",
        )
        link.delete()


def reviewer_department_assign(*, actor, user, department: Department) -> ReviewerDepartment:
    """Let a reviewer account answer for a department (按部门授权审核人). The account must hold
    the joint reviewer role already (granted like any role)."""
    _require_department_admin(actor, department)
    if not has_role(user, Role.JOINT_REVIEWER):
        raise ValidationError({"user": ["该账号没有联审部门审核人角色，请先授予角色。"]})
    with transaction.atomic():
        link, _ = ReviewerDepartment.objects.get_or_create(user=user, department=department)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=link,
            after={"user": user.get_username(), "department": department.name},
            message="指定联审部门审核人",
        )
    return link


@dataclass(frozen=True)
class ItemInput:
    name: str
    id_number: str
    village: object  # an Organization inside the round's county
    source_type: str = ""
    source_id: str = ""


def round_open(
    *,
    actor,
    kind: str,
    organization,
    title: str,
    deadline: datetime.date,
    items: list[ItemInput],
    departments: list[Department] | None = None,
) -> ReviewRound:
    """Open a round (发起联审) with its list of names; every active department takes part
    unless the caller names fewer."""
    _require_round_role(actor, organization.path)
    if kind not in RoundKind.values:
        raise ValidationError({"kind": ["请选择联审类别。"]})
    if not items:
        raise ValidationError({"items": ["联审名单不能为空。"]})
    departments = list(departments or Department.objects.filter(active=True))
    if not departments:
        raise ValidationError({"departments": ["没有参与联审的部门，请先配置联审部门。"]})
    errors, seen, rows = [], set(), []
    for n, item in enumerate(items, start=1):
        try:
            number = idnumber.validate(item.id_number)
        except idnumber.IdNumberError as exc:
            errors.append(f"第 {n} 行（{item.name}）：{exc}")
            continue
        if number in seen:
            errors.append(f"第 {n} 行（{item.name}）：公民身份号码在名单中重复。")
        if not path_in(item.village.path, organization.path):
            errors.append(f"第 {n} 行（{item.name}）：{item.village.name}不在本县。")
        seen.add(number)
        rows.append((item, number))
    if errors:
        raise ValidationError({"items": errors})
    with transaction.atomic():
        review_round = ReviewRound(
            kind=kind,
            organization=organization,
            title=title,
            deadline=deadline,
            opened_by=acting_user(actor),
        )
        review_round.full_clean()
        review_round.save()
        review_round.departments.set(departments)
        created = ReviewItem.objects.bulk_create(
            ReviewItem(
                round=review_round,
                name=item.name.strip(),
                id_number=number,
                village=item.village,
                source_type=item.source_type,
                source_id=item.source_id,
            )
            for item, number in rows
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=review_round,
            org_path=organization.path,
            after={
                "kind": kind,
                "title": title,
                "deadline": deadline.isoformat(),
                "departments": [d.name for d in departments],
                "items": len(created),
            },
            message="发起县级联审",
        )
    return review_round


def round_close(*, actor, review_round: ReviewRound) -> ReviewRound:
    """Close a round (结束联审): reviewers no longer see or answer it. A name nobody answered
    stays pending: a passed deadline decides nothing by itself."""
    _require_round_role(actor, review_round.organization.path)
    with transaction.atomic():
        review_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
        if review_round.status != RoundStatus.OPEN:
            raise ValidationError("该联审批次已经结束。")
        review_round.status = RoundStatus.CLOSED
        review_round.closed_at = timezone.now()
        review_round.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=review_round,
            org_path=review_round.organization.path,
            before={"status": RoundStatus.OPEN},
            after={"status": RoundStatus.CLOSED},
            message="结束县级联审",
        )
        # The apps that sent names (reserves…) act on the outcome without this app knowing them.
        for hook in settings.ZUZHI_JOINT_REVIEW_CLOSED_HOOKS:
            import_string(hook)(actor=actor, review_round=review_round)
    return review_round


def _require_reviewer(actor, items: list[ReviewItem], department: Department) -> None:
    """A reviewer answers for their own department, on names of open rounds it takes part in.
    The rounds are read from the database: one may have closed since `items` were loaded."""
    if (
        is_system(actor)
        or not ReviewerDepartment.objects.filter(user=actor, department=department).exists()
    ):
        raise deny(actor, target=items[0], message="只能以本部门身份反馈联审意见。")
    round_ids = {item.round_id for item in items}
    rounds = ReviewRound.objects.filter(pk__in=round_ids)
    if rounds.exclude(status=RoundStatus.OPEN).exists():
        raise ValidationError("该联审批次已经结束，不能再反馈意见。")
    if rounds.filter(departments=department).count() != len(round_ids):
        raise deny(actor, target=items[0], message="本部门不参与该批次联审。")


def decision_record(
    *, actor, item: ReviewItem, department: Department, verdict: str, reason: str = ""
) -> ReviewDecision:
    """Record a department's answer on one name (部门反馈意见); a rejection needs its reason,
    which only the county reads. The audit row names the verdict, not the reason."""
    _require_reviewer(actor, [item], department)
    reason = reason.strip()
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": ["请选择通过或不通过。"]})
    if verdict == Verdict.REJECTED and not reason:
        raise ValidationError({"reason": ["不通过须填写理由。"]})
    if verdict == Verdict.CLEARED:
        reason = ""
    with transaction.atomic():
        decision, _ = ReviewDecision.objects.update_or_create(
            item=item,
            department=department,
            defaults={"verdict": verdict, "reason": reason, "decided_by": actor},
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=decision,
            org_path=item.round.organization.path,
            after={"department": department.name, "verdict": verdict},
            message="反馈联审意见",
        )
    return decision


def decisions_clear_pending(
    *, actor, department: Department, items: list[ReviewItem]
) -> list[ReviewDecision]:
    """Clear at once every name of `items` the department has not answered yet (本页全部通过);
    a name already answered keeps its answer."""
    if not items:
        return []
    _require_reviewer(actor, items, department)
    with transaction.atomic():
        answered = set(
            ReviewDecision.objects.filter(department=department, item__in=items).values_list(
                "item_id", flat=True
            )
        )
        created = ReviewDecision.objects.bulk_create(
            ReviewDecision(
                item=item, department=department, verdict=Verdict.CLEARED, decided_by=actor
            )
            for item in items
            if item.pk not in answered
        )
        audit_bulk_record(
            actor=actor,
            action=AuditAction.CREATE,
            items=[
                (
                    d,
                    d.item.round.organization.path,
                    {"department": department.name, "verdict": Verdict.CLEARED},
                )
                for d in created
            ],
        )
    return created
