"""Writes to the organization tree. Each write checks scope, validates and audits."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from zuzhi.core.audit import audit_record, changed_fields, snapshot
from zuzhi.core.dates import date_range_errors
from zuzhi.core.models import AuditAction, CodeItem
from zuzhi.core.phones import phone_clean
from zuzhi.core.scope import (
    PATH_STEP,
    acting_user,
    is_system,
    path_in,
    path_segment,
    require_in_scope,
    subtree_q,
)
from zuzhi.core.text import pinyin_initials

from .models import (
    BRANCH_TYPES,
    CommitteePosition,
    CommitteeSeat,
    Organization,
    RectificationCase,
    RectificationStep,
)
from .selectors import org_code_proposal

EDITABLE_FIELDS = [
    "code",
    "name",
    "short_name",
    "org_type",
    "unit_category",
    "secretary_name",
    "secretary_phone",
    "founded_on",
    "term_start",
    "term_end",
    "division_code",
    "address",
    "sort_order",
    "is_active",
]


SCOPE_REFUSED = "试图修改权限范围以外的组织"


def _validate(org: Organization, *, phone: bool = True) -> None:
    """Check the organization before it is saved; `phone=False` leaves the secretary's phone,
    not being changed, sealed (checking it again would decrypt it)."""
    errors = date_range_errors(
        founded_on=org.founded_on, term_start=org.term_start, term_end=org.term_end
    )
    if org.term_start and org.term_end and org.term_end < org.term_start:
        errors.setdefault("term_end", []).append("任期届满日期不能早于任期开始日期。")
    if (
        org.division_code
        and not CodeItem.objects.filter(table="ZB01", code=org.division_code).exists()
    ):
        errors.setdefault("division_code", []).append(
            f"行政区划代码“{org.division_code}”不在行政区划代码表（ZB01）中。"
        )
    exclude = ["path", "parent"]
    if phone:
        try:
            org.secretary_phone = phone_clean(org.secretary_phone)
        except ValidationError as exc:
            errors.setdefault("secretary_phone", []).extend(exc.messages)
    else:
        exclude.append("secretary_phone")
    try:
        org.full_clean(exclude=exclude)
    except ValidationError as exc:
        for field, msgs in exc.message_dict.items():
            errors.setdefault(field, []).extend(msgs)
    if errors:
        raise ValidationError(errors)


BRANCH_PARENT_MESSAGE = (
    "党支部下不能再设党组织（党小组不作为组织登记），请选择党总支或党委作为上级组织。"
)


def org_create(*, actor, parent: Organization | None, data: dict[str, Any]) -> Organization:
    """Create an organization under `parent` (新建党组织). Only the system creates roots.
    Without a code it gets the next free code under its parent (`org_code_proposal`)."""
    if parent is None:
        if not is_system(actor):
            raise ValidationError({"parent": ["请选择上级组织。"]})
    else:
        require_in_scope(actor, parent.path, target=parent, message=SCOPE_REFUSED)
    if parent is not None and parent.org_type in BRANCH_TYPES:
        raise ValidationError({"parent": [BRANCH_PARENT_MESSAGE]})
    org = Organization(parent=parent, **{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    org.name_initials = pinyin_initials(org.name)
    org.path = "~" + uuid.uuid4().hex
    # Left empty, the code is the next free one under the parent (the form proposes it too).
    auto_code = parent is not None and not org.code.strip()
    if auto_code:
        org.code = org_code_proposal(parent=parent)
    _validate(org)
    with transaction.atomic():
        if parent is not None:
            # The caller's copy may be stale (moved since it was read); the locked row is not.
            parent = Organization.objects.select_for_update().get(pk=parent.pk)
            org.parent = parent
        if auto_code:
            # Proposed again under the parent's lock: another clerk may have taken it meanwhile.
            org.code = org_code_proposal(parent=parent)
        org.save()
        org.path = (parent.path if parent else "") + path_segment(org.pk)
        org.depth = len(org.path) // PATH_STEP
        org.save(update_fields=["path", "depth"])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=org,
            org_path=org.path,
            after=snapshot(org),
        )
    return org


def _check_move(actor, org: Organization, new_parent: Organization | None) -> Organization:
    """The locked, fresh new parent, if `org` may move under it."""
    if new_parent is None:
        raise ValidationError({"parent": ["请选择上级组织。"]})
    new_parent = Organization.objects.select_for_update().get(pk=new_parent.pk)
    require_in_scope(actor, new_parent.path, target=new_parent, message=SCOPE_REFUSED)
    if path_in(new_parent.path, org.path):
        raise ValidationError({"parent": ["不能把组织移到它自己或它的下级组织之下。"]})
    if new_parent.org_type in BRANCH_TYPES:
        raise ValidationError({"parent": [BRANCH_PARENT_MESSAGE]})
    return new_parent


def _move_subtree(org: Organization, new_parent: Organization) -> None:
    """Rewrite the paths of `org` and all its descendants in one UPDATE."""
    old_path = org.path
    new_path = new_parent.path + path_segment(org.pk)
    delta = (len(new_path) - len(old_path)) // PATH_STEP
    Organization.objects.filter(subtree_q(old_path)).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + delta,
    )
    org.parent = new_parent
    org.path = new_path
    org.depth += delta


def org_update(*, actor, org: Organization, data: dict[str, Any]) -> Organization:
    """Change an organization's fields (修改), including its parent (the subtree follows)."""
    require_in_scope(actor, org.path, target=org, message=SCOPE_REFUSED)
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        before = snapshot(org)
        new_parent = data.get("parent", org.parent)
        if "parent" in data and (new_parent.pk if new_parent else None) != org.parent_id:
            _move_subtree(org, _check_move(actor, org, new_parent))
        for key, value in data.items():
            if key in EDITABLE_FIELDS:
                setattr(org, key, value)
        org.name_initials = pinyin_initials(org.name)
        _validate(org, phone="secretary_phone" in data)
        old, new = changed_fields(before, snapshot(org))
        old.pop("updated_at", None)
        new.pop("updated_at", None)
        if not new:
            return org
        org.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=org,
            org_path=org.path,
            before=old,
            after=new,
        )
    return org


def org_move(*, actor, org: Organization, new_parent: Organization | None) -> Organization:
    """Move `org` and its whole subtree under `new_parent` (调整隶属关系); paths follow."""
    require_in_scope(actor, org.path, target=org, message=SCOPE_REFUSED)
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        new_parent = _check_move(actor, org, new_parent)
        before = {"parent_id": org.parent_id, "path": org.path}
        _move_subtree(org, new_parent)
        Organization.objects.filter(pk=org.pk).update(parent=new_parent)
        audit_record(
            actor=actor,
            action=AuditAction.MOVE,
            target=org,
            org_path=org.path,
            before=before,
            after={"parent_id": new_parent.pk, "path": org.path},
        )
    return org


def rectification_open(
    *,
    actor,
    organization: Organization,
    year: int,
    problems: str,
    measures: str = "",
    responsible: str = "",
    deadline=None,
) -> RectificationCase:
    """List an organization as weak and lax (确定软弱涣散党组织) and open its rectification."""
    require_in_scope(actor, organization.path, target=organization, message=SCOPE_REFUSED)
    errors: dict[str, list[str]] = {}
    if not problems.strip():
        errors["problems"] = ["请填写存在的问题。"]
    if RectificationCase.objects.filter(
        organization=organization, status=RectificationCase.Status.OPEN
    ).exists():
        errors["organization"] = ["该组织已有正在进行的整顿，不能重复列入。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = RectificationCase.objects.create(
            organization=organization,
            year=year,
            problems=problems.strip(),
            measures=measures.strip(),
            responsible=responsible.strip(),
            deadline=deadline,
            opened_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=case,
            org_path=organization.path,
            after=snapshot(case),
        )
    return case


def rectification_step_add(
    *, actor, case: RectificationCase, day, action: str
) -> RectificationStep:
    """Record what was done (整顿进展)."""
    require_in_scope(actor, case.organization.path, target=case.organization, message=SCOPE_REFUSED)
    errors: dict[str, list[str]] = {}
    if case.status != RectificationCase.Status.OPEN:
        errors["case"] = ["整顿已销号，不能再添加进展。"]
    if not action.strip():
        errors["action"] = ["请填写开展的工作。"]
    if day is None:
        errors["day"] = ["请填写日期。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        step = RectificationStep.objects.create(
            case=case, day=day, action=action.strip(), recorded_by=acting_user(actor)
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=step,
            org_path=case.organization.path,
            after=snapshot(step),
        )
    return step


def rectification_close(*, actor, case: RectificationCase, note: str) -> RectificationCase:
    """Close a rectification (整顿销号): at least one recorded step and a closing opinion."""
    require_in_scope(actor, case.organization.path, target=case.organization, message=SCOPE_REFUSED)
    errors: dict[str, list[str]] = {}
    if case.status != RectificationCase.Status.OPEN:
        errors["case"] = ["整顿已销号。"]
    if not case.steps.exists():
        errors["case"] = ["还没有整顿进展记录，不能销号。"]
    if not note.strip():
        errors["closing_note"] = ["请填写销号意见。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case.status, case.closed_at, case.closing_note = (
            RectificationCase.Status.CLOSED,
            timezone.now(),
            note.strip(),
        )
        case.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=case,
            org_path=case.organization.path,
            before={"status": RectificationCase.Status.OPEN},
            after={"status": case.status, "closing_note": case.closing_note},
        )
    return case


def org_secretary_follow_roster(*, actor, organization: Organization) -> None:
    """The organization's 书记 as its committee roster (支部委员会) has it now: called when a
    secretary's seat is filled or ended, so the name on lists and letters is never stale. A
    branch that keeps no roster keeps the name typed on its form."""
    seat = (
        CommitteeSeat.objects.filter(
            organization=organization,
            position=CommitteePosition.SECRETARY,
            ended_on__isnull=True,
        )
        .select_related("member")
        .first()
    )
    name = seat.member.name if seat else ""
    if organization.secretary_name == name:
        return
    before = snapshot(organization, ["secretary_name"])
    Organization.objects.filter(pk=organization.pk).update(
        secretary_name=name, updated_at=timezone.now()
    )
    organization.secretary_name = name
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=organization,
        org_path=organization.path,
        before=before,
        after={"secretary_name": name},
        message="书记按支部委员会名单更新",
    )
