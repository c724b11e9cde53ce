"""Role grants (授权): the command line's direct grant, the system administrator's request
and county staff's approval or refusal, and revocation."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import audit_record
from zuzhi.core.models import AuditAction
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM, path_in

from .models import RoleAssignment, RoleGrant, RoleGrantStatus, User
from .selectors import admin_scope_paths, approver_paths, password_set_by_administrator

# Roles a system administrator may grant. Administrator roles themselves are granted only
# from the command line (`zuzhi grant-role`), so no web account can raise its own rights.
GRANTABLE_ROLES = (
    Role.COUNTY_STAFF,
    Role.CADRE_STAFF,
    Role.TOWNSHIP_STAFF,
    Role.BRANCH_SECRETARY,
    Role.JUDGE,
    Role.JOINT_REVIEWER,
)


def _roles_snapshot(user: User) -> list[str]:
    return sorted(
        f"{a.role}@{a.organization.code if a.organization else '-'}"
        for a in user.role_assignments.select_related("organization")
    )


def _require_admin_over(actor: User, organization) -> None:
    roots = admin_scope_paths(user=actor)
    if organization is None or not any(path_in(organization.path, r) for r in roots):
        raise ValidationError({"organization": ["该组织不在您的管理范围内。"]})


def account_grant_role(*, user: User, role: str, organization) -> RoleAssignment:
    """Grant a role at once (授权), as the system: the command line only (`zuzhi grant-role`),
    where administrator roles are granted and a new deployment gets its first county staff.

    A system administrator on the web asks with `role_grant_request` instead, and the role
    takes effect when county staff approve it.
    """
    with transaction.atomic():
        before = _roles_snapshot(user)
        assignment, _ = RoleAssignment.objects.get_or_create(
            user=user, role=role, organization=organization
        )
        audit_record(
            actor=SYSTEM,
            action=AuditAction.UPDATE,
            target=user,
            before={"roles": before},
            after={"roles": _roles_snapshot(user)},
            message="授予角色",
        )
    return assignment


def _grant_snapshot(grant: RoleGrant) -> dict:
    return {
        "grant": grant.pk,
        "role": grant.role,
        "organization": grant.organization.code,
        "status": grant.status,
        "requested_by": grant.requested_by.username,
    }


def role_grant_request(*, actor: User, user: User, role: str, organization) -> RoleGrant:
    """Ask for a business role on a node (授权申请); it waits for county staff's approval.

    The system administrator opens accounts and sets their passwords, so a role they could
    give alone would let them read business data through an account of their own making
    (三员分立). A second person, from the business side, must agree.
    """
    if role not in GRANTABLE_ROLES:
        raise ValidationError({"role": ["系统管理员不能授予管理员类角色。"]})
    if actor.pk == user.pk:
        raise ValidationError({"role": ["不能给自己授权。"]})
    _require_admin_over(actor, organization)
    if user.role_assignments.filter(role=role, organization=organization).exists():
        raise ValidationError({"role": ["该账号在此组织已有这个角色。"]})
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(
            user=user,
            role=role,
            organization=organization,
            status=RoleGrantStatus.PENDING,
            defaults={"requested_by": actor},
        )
        if not created:
            raise ValidationError({"role": ["同样的授权已在等待审批。"]})
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=user,
            before={"roles": _roles_snapshot(user)},
            after={"roles": _roles_snapshot(user), "pending_grant": _grant_snapshot(grant)},
            message="申请授予角色（待县委组织部审批）",
        )
    return grant


def _require_approver(actor: User, grant: RoleGrant) -> None:
    """County staff of a node covering the grant's organization, neither the one who asked
    nor the one who would receive the role (双人审批)."""
    if not any(path_in(grant.organization.path, r) for r in approver_paths(user=actor)):
        raise ValidationError("只有该组织所属县的县委组织部工作人员可以审批此授权。")
    if actor.pk in (grant.requested_by_id, grant.user_id):
        raise ValidationError("不能审批自己申请或授予自己的角色。")
    if grant.status != RoleGrantStatus.PENDING:
        raise ValidationError(f"该授权{grant.get_status_display()}，不能再审批。")


def _locked_grant(grant: RoleGrant) -> RoleGrant:
    return (
        RoleGrant.objects.select_for_update()
        .select_related("organization", "requested_by", "user")
        .get(pk=grant.pk)
    )


def role_grant_approve(*, actor: User, grant: RoleGrant) -> RoleAssignment:
    """Approve a pending grant (批准授权): the role takes effect now."""
    with transaction.atomic():
        grant = _locked_grant(grant)
        _require_approver(actor, grant)
        user = grant.user
        if password_set_by_administrator(user=user):
            # The administrator who asked also knows this password: approving now would give
            # them the role. The user logs in and chooses their own password first.
            raise ValidationError(
                f"{user} 的密码仍是系统管理员设置的，请本人登录并修改密码后再批准。"
            )
        before = _roles_snapshot(user)
        assignment, _ = RoleAssignment.objects.get_or_create(
            user=user, role=grant.role, organization=grant.organization
        )
        grant.status = RoleGrantStatus.APPROVED
        grant.decided_by = actor
        grant.decided_at = timezone.now()
        grant.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=user,
            before={"roles": before, "grant": grant.pk, "status": RoleGrantStatus.PENDING},
            after={
                "roles": _roles_snapshot(user),
                "grant": grant.pk,
                "status": grant.status,
                "requested_by": grant.requested_by.username,
            },
            message="批准角色授权",
        )
    return assignment


def role_grant_refuse(*, actor: User, grant: RoleGrant, reason: str) -> None:
    """Refuse a pending grant (驳回授权), with the reason the administrator will read."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写驳回理由。"]})
    with transaction.atomic():
        grant = _locked_grant(grant)
        _require_approver(actor, grant)
        grant.status = RoleGrantStatus.REFUSED
        grant.decided_by = actor
        grant.decided_at = timezone.now()
        grant.reason = reason[:200]
        grant.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=grant.user,
            before={"grant": grant.pk, "status": RoleGrantStatus.PENDING},
            after={"grant": grant.pk, "status": grant.status, "reason": grant.reason},
            message="驳回角色授权",
        )


def roles_suspend_for_review(*, actor: User, user: User) -> int:
    """Turn the account's business roles back into pending grants (角色待重新审批), asked by
    `actor`; used when the system administrator resets the password. Returns how many."""
    held = list(
        user.role_assignments.filter(
            role__in=GRANTABLE_ROLES, organization__isnull=False
        ).select_related("organization")
    )
    if not held:
        return 0
    before = _roles_snapshot(user)
    for assignment in held:
        RoleGrant.objects.get_or_create(
            user=user,
            role=assignment.role,
            organization=assignment.organization,
            status=RoleGrantStatus.PENDING,
            defaults={"requested_by": actor},
        )
        assignment.delete()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=user,
        before={"roles": before},
        after={"roles": _roles_snapshot(user), "pending_grants": [a.role for a in held]},
        message="重置密码后业务角色待重新审批",
    )
    return len(held)


def account_revoke_role(*, actor: User, assignment: RoleAssignment) -> None:
    if assignment.role not in GRANTABLE_ROLES:
        raise ValidationError({"role": ["系统管理员不能撤销管理员类角色。"]})
    _require_admin_over(actor, assignment.organization)
    user = assignment.user
    with transaction.atomic():
        before = _roles_snapshot(user)
        assignment.delete()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=user,
            before={"roles": before},
            after={"roles": _roles_snapshot(user)},
            message="撤销角色",
        )
