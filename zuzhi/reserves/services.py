"""Writes of village reserves (村级后备力量): candidates and the 雁归 contact list, each
validated, scope-checked and audited in one transaction.

"Nothing typed twice": a candidate whose ID number is in the member registry (党员) or the
cadre registry (干部) is linked to that record, and the name, gender, birth date, education
and phone are taken from it; what the registry lacks is taken from the form (registry.py)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core import idnumber
from zuzhi.core.audit import audit_record, changed_fields, snapshot
from zuzhi.core.codes import code_map
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user
from zuzhi.core.text import initials_index
from zuzhi.orgs.models import Organization

from .models import (
    CLOSED_STATUSES,
    REVIEWED_STATUSES,
    DiscoveryMethod,
    EventKind,
    ReserveCandidate,
    ReserveEvent,
    ReserveSource,
    ReturningTalent,
)
from .registry import registry_person
from .scoping import VILLAGE_CATEGORIES, require_reserve_scope

# What a candidate form may set; gender and birth date follow the ID number.
CANDIDATE_FIELDS = (
    "village",
    "name",
    "id_number",
    "phone",
    "education",
    "source",
    "discovery",
    "willing",
    "willingness_note",
    "returning_talent",
)
TALENT_FIELDS = (
    "home_village",
    "name",
    "id_number",
    "whereabouts",
    "occupation",
    "phone",
    "last_contact_on",
    "contact_person",
    "note",
)


def _text(value) -> str:
    return str(value or "").replace("\x00", "").strip()


def _require_scope(actor, *, village=None, talent=None) -> None:
    """Before the transaction, so that the logged refusal is not rolled back with it."""
    if village is not None:
        require_reserve_scope(
            actor, village.path, target=village, message="试图登记权限范围以外村的后备力量"
        )
    if talent is not None:
        require_reserve_scope(actor, talent.home_village.path, target=talent)


def _check_village(errors: dict, field: str, village, label: str) -> None:
    if village is None:
        errors[field] = [f"请选择{label}。"]
        return
    if village.unit_category not in VILLAGE_CATEGORIES:
        errors[field] = [f"{label}须为行政村或社区党组织。"]


def _candidate_clean(*, candidate: ReserveCandidate) -> None:
    errors: dict[str, list[str]] = {}
    village = Organization.objects.filter(pk=candidate.village_id).first()
    _check_village(errors, "village", village, "所在村（社区）")
    try:
        candidate.id_number = idnumber.validate(candidate.id_number, living=True)
    except idnumber.IdNumberError as exc:
        errors["id_number"] = [str(exc)]
    else:
        registry = registry_person(candidate.id_number)
        candidate.member, candidate.cadre = registry["member"], registry["cadre"]
        for name, value in registry["fields"].items():
            setattr(candidate, name, value)
        candidate.gender = idnumber.gender_code(candidate.id_number)
        candidate.birth_date = idnumber.birth_date(candidate.id_number)
        open_entry = (
            ReserveCandidate.objects.filter(id_number=candidate.id_number)
            .exclude(status__in=CLOSED_STATUSES)
            .exclude(pk=candidate.pk)
            .select_related("village")
            .first()
        )
        if open_entry is not None:
            errors["id_number"] = [
                f"该公民身份号码已登记为{open_entry.village.name}的后备力量（{open_entry.name}），"
                "同一人不能重复登记。"
            ]
    candidate.name = _text(candidate.name)
    if not candidate.name:
        errors["name"] = ["请填写姓名。"]
    if candidate.source not in ReserveSource.values:
        errors["source"] = ["请选择人选来源。"]
    if candidate.discovery not in DiscoveryMethod.values:
        errors["discovery"] = ["请选择产生方式（组织推荐、群众推荐/民主测评或个人自荐）。"]
    if candidate.education and candidate.education not in code_map("ZB64"):
        errors["education"] = ["学历须为学历代码表（ZB64）中的代码。"]
    if errors:
        raise ValidationError(errors)
    candidate.name_initials = initials_index(candidate.name)
    candidate.full_clean(exclude=["member", "cadre", "returning_talent", "village"])


def candidate_create(
    *, actor, data: dict, nominated_on: datetime.date | None = None
) -> ReserveCandidate:
    """Register a village reserve candidate (登记后备力量人选), nominated on `nominated_on`
    (today by default: a clerk may enter a nomination the township made earlier)."""
    candidate = ReserveCandidate(
        **{k: v for k, v in data.items() if k in CANDIDATE_FIELDS},
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    _require_scope(actor, village=data.get("village"), talent=data.get("returning_talent"))
    with transaction.atomic():
        _candidate_clean(candidate=candidate)
        candidate.status_changed_on = nominated_on or timezone.localdate()
        candidate.save()
        ReserveEvent.objects.create(
            candidate=candidate,
            kind=EventKind.NOMINATED,
            on=candidate.status_changed_on,
            note=candidate.get_discovery_display(),
            recorded_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=candidate,
            org_path=candidate.village.path,
            after=snapshot(candidate),
        )
    return candidate


# Who the person is and where: what the township and the departments reviewed.
REVIEWED_FIELDS = ("id_number", "name", "village")


def _require_editable(candidate: ReserveCandidate, data: dict) -> None:
    """A closed entry (退出, 进入村“两委”) is history and stays as it was; from the county
    review on, the person and the village are those the departments cleared."""
    if candidate.status in CLOSED_STATUSES:
        raise ValidationError(
            f"{candidate.name}已{candidate.get_status_display()}，记录不能再修改；"
            "如再次推荐，请重新登记。"
        )
    if candidate.status not in REVIEWED_STATUSES:
        return
    asked = {
        "id_number": idnumber.normalize(data.get("id_number", candidate.id_number) or ""),
        "name": _text(data.get("name", candidate.name)),
        "village": getattr(data.get("village", candidate.village), "pk", None),
    }
    changed = [
        ReserveCandidate._meta.get_field(field).verbose_name
        for field, current in (
            ("id_number", candidate.id_number),
            ("name", candidate.name),
            ("village", candidate.village_id),
        )
        if asked[field] != current
    ]
    if changed:
        raise ValidationError(
            f"{'、'.join(changed)}已经县级联审，不能修改；确需更正的，请退出后重新登记并报送联审。"
        )


def candidate_update(*, actor, candidate: ReserveCandidate, data: dict) -> ReserveCandidate:
    """Change a candidate's record; moving them to another village needs both in scope."""
    require_reserve_scope(actor, candidate.village.path, target=candidate)
    _require_scope(actor, village=data.get("village"), talent=data.get("returning_talent"))
    with transaction.atomic():
        candidate = ReserveCandidate.objects.select_for_update().get(pk=candidate.pk)
        _require_editable(candidate, data)
        before = snapshot(candidate)
        for key, value in data.items():
            if key in CANDIDATE_FIELDS:
                setattr(candidate, key, value)
        candidate.updated_by = acting_user(actor)
        _candidate_clean(candidate=candidate)
        candidate.save()
        old, new = changed_fields(before, snapshot(candidate))
        old.pop("updated_at", None), new.pop("updated_at", None)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=candidate,
            org_path=candidate.village.path,
            before=old,
            after=new,
        )
    return candidate


def _talent_clean(*, talent: ReturningTalent) -> None:
    errors: dict[str, list[str]] = {}
    village = Organization.objects.filter(pk=talent.home_village_id).first()
    _check_village(errors, "home_village", village, "家乡村（社区）")
    talent.name = _text(talent.name)
    if not talent.name:
        errors["name"] = ["请填写姓名。"]
    if talent.id_number:
        try:
            talent.id_number = idnumber.validate(talent.id_number, living=True)
        except idnumber.IdNumberError as exc:
            errors["id_number"] = [str(exc)]
    for field in ("whereabouts", "occupation", "phone", "contact_person", "note"):
        setattr(talent, field, _text(getattr(talent, field)))
    if errors:
        raise ValidationError(errors)
    talent.name_initials = initials_index(talent.name)
    talent.full_clean(exclude=["home_village"])


def talent_create(*, actor, data: dict) -> ReturningTalent:
    """Add a native working away to the 雁归 contact list."""
    talent = ReturningTalent(
        **{k: v for k, v in data.items() if k in TALENT_FIELDS},
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    _require_scope(actor, village=data.get("home_village"))
    with transaction.atomic():
        _talent_clean(talent=talent)
        talent.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=talent,
            org_path=talent.home_village.path,
            after=snapshot(talent),
        )
    return talent


def talent_update(*, actor, talent: ReturningTalent, data: dict) -> ReturningTalent:
    require_reserve_scope(actor, talent.home_village.path, target=talent)
    _require_scope(actor, village=data.get("home_village"))
    with transaction.atomic():
        talent = ReturningTalent.objects.select_for_update().get(pk=talent.pk)
        before = snapshot(talent)
        for key, value in data.items():
            if key in TALENT_FIELDS:
                setattr(talent, key, value)
        talent.updated_by = acting_user(actor)
        _talent_clean(talent=talent)
        talent.save()
        old, new = changed_fields(before, snapshot(talent))
        old.pop("updated_at", None), new.pop("updated_at", None)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=talent,
            org_path=talent.home_village.path,
            before=old,
            after=new,
        )
    return talent
