"""Writing the cadre registry (干部信息): records, career rows, family, rewards, assessments.

Only the cadre section (干部科, role cadre_staff) over the cadre's unit writes; anyone else
gets the logged 404, as for an object they cannot see. Every write is audited with before and
after; the photo and the imported file are named in the audit, not copied into it."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from zuzhi.core import idnumber
from zuzhi.core.audit import audit_record, changed_fields, snapshot
from zuzhi.core.models import AuditAction
from zuzhi.core.phones import phone_clean
from zuzhi.core.text import initials_index
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization

from .exchange import highest_education
from .models import AnnualAssessment, Cadre, CareerEntry, FamilyMember, RewardPunishment
from .models.scoping import require_cadre_section
from .rank_services import quota_room_check
from .resume import resume_from_career
from .yearmonth import ym_parse

AUDIT_FIELDS = [
    f.name
    for f in Cadre._meta.concrete_fields
    if f.name not in ("photo", "lrmx_source", "name_initials", "created_at", "updated_at")
]
# What the registry's form edits; organization changes by `cadre_move`, ranks by rank_services.
EDITABLE_FIELDS = (
    "name",
    "id_number",
    "ethnicity",
    "native_place",
    "birthplace",
    "party_joined",
    "party_joined_note",
    "work_started",
    "health",
    "phone",
    "professional_title",
    "expertise",
    "specialties",
    "full_time_education",
    "full_time_degree",
    "full_time_education_school",
    "full_time_degree_school",
    "in_service_education",
    "in_service_degree",
    "in_service_education_school",
    "in_service_degree_school",
    "unit_name",
    "current_post",
    "proposed_post",
    "post_to_leave",
    "leadership_level",
    "rewards_and_punishments",
    "annual_assessments",
    "appointment_reason",
    "submitting_unit",
    "age_reference_date",
    "filled_date",
    "filled_by",
    "is_active",
)
YM_FIELDS = ("party_joined", "work_started", "age_reference_date", "filled_date")


def _clean(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    data = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    for name in YM_FIELDS:
        if name in data:
            try:
                data[name] = ym_parse(data[name] or "")
            except ValueError as exc:
                errors[name] = [str(exc)]
    if "id_number" in data:
        try:
            data["id_number"] = idnumber.validate(data["id_number"] or "")
        except ValidationError as exc:
            errors["id_number"] = exc.messages
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        if not data["name"]:
            errors["name"] = ["请填写姓名。"]
    if data.get("phone"):
        try:
            data["phone"] = phone_clean(data["phone"])
        except ValidationError as exc:
            errors["phone"] = exc.messages
    for name, value in data.items():
        limit = Cadre._meta.get_field(name).max_length
        if limit and isinstance(value, str) and len(value) > limit:
            errors.setdefault(name, []).append(f"不能超过 {limit} 个字。")
    return data, errors


def unit_name_of(organization: Organization) -> str:
    """The unit a cadre works in, named as a post text names it: the organization's name
    without the Party's prefix (中共示范县城关镇党委 → 示范县城关镇党委)."""
    return organization.name.removeprefix("中共")


def _derive(cadre: Cadre, *, number_set: bool) -> None:
    """What follows from other fields: birth date and gender from the ID number (when it is
    set: the stored one is not decrypted again), initials, the highest education's code, the
    member record of the same person (by blind index)."""
    if number_set:
        cadre.birth_date = idnumber.birth_date(cadre.id_number)
        cadre.gender = idnumber.gender_code(cadre.id_number)
    cadre.name_initials = initials_index(cadre.name)
    cadre.education = highest_education(cadre.full_time_education, cadre.in_service_education)
    if cadre.member_id is None:
        cadre.member_id = (
            Member.objects.filter(id_number_index=cadre.id_number_index)
            .values_list("pk", flat=True)
            .first()
        )


def cadre_create(*, actor, organization: Organization, data: dict[str, Any]) -> Cadre:
    """Register a cadre (新增干部) in a unit of the actor's cadre section. One person, one
    record: an ID number already registered is refused, and a member with the same ID
    number is linked, not typed again."""
    require_cadre_section(actor, organization.path, target=organization)
    data, errors = _clean(data)
    for required in ("name", "id_number"):
        if required not in data:
            errors.setdefault(required, ["此项必填。"])
    if "id_number" not in errors and Cadre.objects.filter(id_number=data["id_number"]).exists():
        errors["id_number"] = ["该公民身份号码已登记为干部，一人只能有一份干部信息。"]
    if errors:
        raise ValidationError(errors)
    cadre = Cadre(organization=organization, **data)
    cadre.unit_name = cadre.unit_name or unit_name_of(organization)
    _derive(cadre, number_set=True)
    try:
        with transaction.atomic():
            cadre.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=cadre,
                org_path=organization.path,
                after=snapshot(cadre, AUDIT_FIELDS),
            )
    except IntegrityError as exc:
        raise ValidationError({"id_number": ["该公民身份号码已登记为干部。"]}) from exc
    return cadre


def cadre_update(*, actor, cadre: Cadre, data: dict[str, Any], photo: bytes | None = None) -> Cadre:
    """Correct a cadre's record (修改干部信息); `photo` replaces the photo when given (b""
    removes it)."""
    require_cadre_section(actor, cadre.organization.path, target=cadre)
    data, errors = _clean(data)
    if "id_number" in data and "id_number" not in errors:
        if Cadre.objects.filter(id_number=data["id_number"]).exclude(pk=cadre.pk).exists():
            errors["id_number"] = ["该公民身份号码已登记为另一位干部。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        cadre = Cadre.objects.select_for_update().select_related("organization").get(pk=cadre.pk)
        if data.get("is_active") and not cadre.is_active:
            quota_room_check(cadre=cadre, unit=cadre.organization)
        before = snapshot(cadre, AUDIT_FIELDS)
        for name, value in data.items():
            setattr(cadre, name, value)
        _derive(cadre, number_set="id_number" in data)
        message = ""
        if photo is not None and bytes(cadre.photo or b"") != photo:
            cadre.photo = photo
            message = "更换了照片" if photo else "删除了照片"
        cadre.save()
        old, new = changed_fields(before, snapshot(cadre, AUDIT_FIELDS))
        if old or new or message:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=cadre,
                org_path=cadre.organization.path,
                before=old,
                after=new,
                message=message,
            )
    return cadre


def cadre_move(*, actor, cadre: Cadre, organization: Organization) -> Cadre:
    """Move a cadre's record to another unit; both ends must be in the actor's section."""
    require_cadre_section(actor, cadre.organization.path, target=cadre)
    require_cadre_section(actor, organization.path, target=organization)
    with transaction.atomic():
        cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
        quota_room_check(cadre=cadre, unit=organization)
        before = {"organization": cadre.organization_id}
        cadre.organization = organization
        cadre.save(update_fields=["organization", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.MOVE,
            target=cadre,
            org_path=organization.path,
            before=before,
            after={"organization": organization.pk},
        )
    return cadre


def _replace_rows(*, actor, cadre: Cadre, model, rows: list[dict], label: str) -> None:
    fields = [f.name for f in model._meta.concrete_fields if f.name not in ("id", "cadre")]
    old = list(model.objects.filter(cadre=cadre).order_by("position").values(*fields))
    model.objects.filter(cadre=cadre).delete()
    model.objects.bulk_create(model(cadre=cadre, **row) for row in rows)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=cadre,
        org_path=cadre.organization.path,
        before={label: old},
        after={label: rows},
        message=f"修改了{label}",
    )


def career_replace(*, actor, cadre: Cadre, rows: list[dict[str, str]]) -> Cadre:
    """Replace the career rows (履历): from, to (empty while current), unit, post, rank,
    note. The résumé is written from them from now on."""
    require_cadre_section(actor, cadre.organization.path, target=cadre)
    errors = []
    clean = []
    for i, row in enumerate(rows, start=1):
        try:
            start = ym_parse(row.get("start", ""))
            end = ym_parse(row.get("end", ""))
        except ValueError as exc:
            errors.append(f"第 {i} 行：{exc}")
            continue
        if not start:
            errors.append(f"第 {i} 行：请填写起始年月。")
        elif end and end[:6] < start[:6]:
            errors.append(f"第 {i} 行：截止年月早于起始年月。")
        clean.append(
            {
                "position": i,
                "start": start,
                "end": end,
                "unit": row.get("unit", "").strip()[:200],
                "post": row.get("post", "").strip()[:255],
                "rank": row.get("rank", "").strip()[:24],
                "note": row.get("note", "").strip(),
            }
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _replace_rows(actor=actor, cadre=cadre, model=CareerEntry, rows=clean, label="履历")
        cadre.resume = resume_from_career(cadre.career.order_by("position"))
        cadre.resume_from_career = True
        cadre.save(update_fields=["resume", "resume_from_career", "updated_at"])
    return cadre


def family_replace(*, actor, cadre: Cadre, rows: list[dict[str, str]]) -> Cadre:
    """Replace the family members (家庭主要成员及重要社会关系)."""
    require_cadre_section(actor, cadre.organization.path, target=cadre)
    errors, clean = [], []
    for i, row in enumerate(rows, start=1):
        try:
            birth = ym_parse(row.get("birth", ""))
        except ValueError as exc:
            errors.append(f"第 {i} 行：{exc}")
            continue
        if not row.get("name", "").strip():
            errors.append(f"第 {i} 行：请填写姓名。")
        clean.append(
            {
                "position": i,
                "relation": row.get("relation", "").strip()[:16],
                "name": row.get("name", "").strip()[:32],
                "birth": birth,
                "political_status": row.get("political_status", "").strip()[:32],
                "work_and_post": row.get("work_and_post", "").strip()[:255],
            }
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _replace_rows(actor=actor, cadre=cadre, model=FamilyMember, rows=clean, label="家庭成员")
    return cadre


def assessment_set(*, actor, cadre: Cadre, year: int, result: str) -> AnnualAssessment:
    """Record the annual assessment result (年度考核) of a year; a second one corrects it."""
    require_cadre_section(actor, cadre.organization.path, target=cadre)
    with transaction.atomic():
        row, created = AnnualAssessment.objects.select_for_update().get_or_create(
            cadre=cadre, year=year, defaults={"result": result}
        )
        before = None if created else {"year": year, "result": row.result}
        row.result = result
        row.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target=cadre,
            org_path=cadre.organization.path,
            before=before,
            after={"year": year, "result": result},
            message=f"{year} 年度考核结果",
        )
    return row


def reward_add(*, actor, cadre: Cadre, kind: str, date: str, description: str, authority: str = ""):
    """Record a reward or a punishment (奖惩)."""
    require_cadre_section(actor, cadre.organization.path, target=cadre)
    errors = {}
    try:
        date = ym_parse(date)
    except ValueError as exc:
        errors["date"] = [str(exc)]
    if not description.strip():
        errors["description"] = ["请填写奖惩内容。"]
    if kind not in RewardPunishment.Kind.values:
        errors["kind"] = ["请选择奖励或惩处。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = RewardPunishment.objects.create(
            cadre=cadre,
            kind=kind,
            date=date,
            description=description.strip()[:255],
            authority=authority.strip()[:128],
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=row,
            org_path=cadre.organization.path,
            after=snapshot(row),
        )
    return row


def cadre_account_link(*, actor, cadre: Cadre, user) -> Cadre:
    """Give a cadre their own login (本人账号): they then see their own record, training and
    self-nominations. An account belongs to one cadre at most."""
    require_cadre_section(actor, cadre.organization.path, target=cadre)
    with transaction.atomic():
        before = {"user": cadre.user_id}
        Cadre.objects.filter(user=user).exclude(pk=cadre.pk).update(user=None)
        cadre.user = user
        cadre.save(update_fields=["user", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=cadre,
            org_path=cadre.organization.path,
            before=before,
            after={"user": user.pk},
            message=f"关联本人账号 {user.username}",
        )
    return cadre
