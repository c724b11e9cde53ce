"""Adding and correcting a member (党员信息录入和修改)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from zuzhi.core.audit import audit_record, changed_fields, snapshot
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import require_in_scope
from zuzhi.core.text import initials_index
from zuzhi.orgs.figures import org_figures_refresh
from zuzhi.orgs.models import Organization

from ..models import (
    Member,
)
from .rules import EDITABLE_FIELDS, SCOPE_REFUSED, member_rules, organization_errors, raise_errors


def member_create(*, actor, organization: Organization, data: dict[str, Any]) -> Member:
    """Register a member (党员信息录入) in an organization inside the actor's scope."""
    data = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    errors = member_rules(data)
    for field, messages in organization_errors(actor, organization).items():
        errors.setdefault(field, []).extend(messages)
    if "id_number" not in errors and Member.objects.filter(id_number=data["id_number"]).exists():
        errors["id_number"] = ["该公民身份号码已登记，不能重复录入；如需转入请办理组织关系转接。"]
    raise_errors(errors)
    member = Member(organization=organization, name_initials=initials_index(data["name"]), **data)
    try:
        with transaction.atomic():
            member.save()
            org_figures_refresh(organization_ids=[organization.pk])
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=member,
                org_path=organization.path,
                after=snapshot(member),
            )
    except IntegrityError as exc:
        raise ValidationError({"id_number": ["该公民身份号码已登记，不能重复录入。"]}) from exc
    return member


def member_update(*, actor, member: Member, data: dict[str, Any]) -> Member:
    """Correct a member's record (修改). The organization changes only by transfer."""
    require_in_scope(actor, member.organization.path, target=member, message=SCOPE_REFUSED)
    with transaction.atomic():
        # Only the member's row: holding the organization's would stop a registration there
        # from committing (its key check) while it holds the figures this service waits for.
        member = (
            Member.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=member.pk)
        )
        before = snapshot(member)
        merged = {f: getattr(member, f) for f in EDITABLE_FIELDS}
        merged.update({k: v for k, v in data.items() if k in EDITABLE_FIELDS})
        for field in ("join_date", "full_date"):
            # A date given without its flag is a full date: it replaces a month-only one.
            if field in data and f"{field}_month_only" not in data:
                merged[f"{field}_month_only"] = False
        if "id_number" in data:
            # Birth date and gender follow a corrected ID number unless given explicitly.
            for derived in ("birth_date", "gender"):
                if derived not in data:
                    merged.pop(derived)
        errors = member_rules(merged)
        if (
            "id_number" not in errors
            and Member.objects.filter(id_number=merged["id_number"]).exclude(pk=member.pk).exists()
        ):
            errors["id_number"] = ["该公民身份号码已登记在另一名党员名下。"]
        raise_errors(errors)
        for key, value in merged.items():
            setattr(member, key, value)
        member.name_initials = initials_index(member.name)
        old, new = changed_fields(before, snapshot(member))
        old.pop("updated_at", None)
        new.pop("updated_at", None)
        if not new:
            return member
        member.save()
        if "status" in new:
            org_figures_refresh(organization_ids=[member.organization_id])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=member,
            org_path=member.organization.path,
            before=old,
            after=new,
        )
    return member


def member_account_link(*, actor, member: Member, user) -> Member:
    """Give a member their own login (党员本人账号): a member linked to households works their
    requests from it. An account belongs to one member at most."""
    require_in_scope(actor, member.organization.path, target=member, message=SCOPE_REFUSED)
    with transaction.atomic():
        before = {"user": member.user_id}
        Member.objects.filter(user=user).exclude(pk=member.pk).update(user=None)
        member.user = user
        member.save(update_fields=["user", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=member,
            org_path=member.organization.path,
            before=before,
            after={"user": user.pk},
            message=f"关联本人账号 {user.username}",
        )
    return member
