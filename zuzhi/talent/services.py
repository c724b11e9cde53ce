"""Writes of the talent registry (人才库): titles, talents, platforms and their people, care
events. Only the talent office of the record's county writes (scoping.require_talent_office);
each write validates, saves and audits in one transaction. Pages, API and the Excel import
share `talent_rules`, the one check of a talent's fields."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zuzhi.accounts.models import User
from zuzhi.cadres.models import Cadre
from zuzhi.core import idnumber
from zuzhi.core.audit import audit_record, changed_fields, snapshot
from zuzhi.core.cells import normalize_person_name
from zuzhi.core.crypto import blind_index
from zuzhi.core.models import AuditAction
from zuzhi.core.phones import phone_clean
from zuzhi.core.text import initials_index
from zuzhi.members.models import Member

from .models import (
    CareEvent,
    Degree,
    Platform,
    PlatformPerson,
    Talent,
    TalentStatus,
    TalentTitle,
    TitleLevel,
)
from .scoping import require_talent_office

TALENT_FIELDS = (
    "id_number",
    "name",
    "phone",
    "degree",
    "school",
    "major",
    "field",
    "employer",
    "industry",
    "position",
    "title",
    "honours",
    "arrived_on",
    "note",
)
TEXT_LIMITS = {
    "school": ("毕业院校", 64),
    "major": ("所学专业", 64),
    "field": ("专业领域", 64),
    "employer": ("工作单位", 128),
    "industry": ("所属产业", 64),
    "position": ("职务/职称", 64),
    "honours": ("荣誉", 2000),
    "note": ("备注", 2000),
}
# The county's titles when it starts (the seeds' 淮源英才计划): the office edits them.
DEFAULT_TITLES: tuple[tuple[str, str, bool], ...] = (
    ("中原创业领军人才", TitleLevel.PROVINCIAL, True),
    ("河南省返乡创业之星", TitleLevel.PROVINCIAL, True),
    ("市产业创新人才", TitleLevel.CITY, True),
    ("拔尖人才", TitleLevel.COUNTY, True),
    ("回创之星", TitleLevel.COUNTY, True),
    ("青年人才", TitleLevel.COUNTY, False),
)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- titles ----------------------------------------------------------------------------------
def _county_record_save(*, actor, county, record, fields, data: dict, label: str, check=None):
    """Add (record without pk) or change a record the office keeps per county (a title, a
    platform): the fields given in `data` set (text trimmed), `check` (more rules), validated,
    saved and audited; nothing is written when nothing changed."""
    before = snapshot(record) if record.pk else None
    for field in fields:
        if field in data:
            value = data[field]
            setattr(record, field, value.strip() if isinstance(value, str) else value)
    if check:
        check(record)
    record.full_clean(exclude=["county"])
    old, new = changed_fields(before or {}, snapshot(record))
    if before is not None and not new:
        return record
    with transaction.atomic():
        record.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            target=record,
            org_path=county.path,
            before=old or None,
            after=new,
            message=f"{'修改' if before else '新增'}{label}：{record.name}",
        )
    return record


def title_save(*, actor, county, title: TalentTitle | None = None, data: dict) -> TalentTitle:
    """Add a title (title=None) or change one: name, level, high-level flag, order, in use."""
    require_talent_office(actor, county.path, target=title)

    def unique_name(record):
        taken = TalentTitle.objects.filter(county=county, name=record.name)
        if taken.exclude(pk=record.pk).exists():
            raise ValidationError({"name": ["已有同名的人才称号。"]})

    return _county_record_save(
        actor=actor,
        county=county,
        record=title or TalentTitle(county=county),
        fields=("name", "level", "high_level", "order", "active"),
        data=data,
        label="人才称号",
        check=unique_name,
    )


def titles_load_defaults(*, actor, county) -> list[TalentTitle]:
    """The default titles (DEFAULT_TITLES) that the county lacks, by name."""
    require_talent_office(actor, county.path)
    have = set(TalentTitle.objects.filter(county=county).values_list("name", flat=True))
    return [
        title_save(
            actor=actor,
            county=county,
            data={"name": name, "level": level, "high_level": high, "order": i},
        )
        for i, (name, level, high) in enumerate(DEFAULT_TITLES, start=1)
        if name not in have
    ]


# --- talents ---------------------------------------------------------------------------------
def talent_rules(data: dict[str, Any], *, county, today: datetime.date | None = None) -> dict:
    """`data` cleaned in place (name, phone, ID number in their stored form) and the errors by
    field in Chinese: the one check of a talent's fields for the form, the API and the import.
    `title` must be one of the county's titles."""
    errors: dict[str, list[str]] = {}
    data["name"] = normalize_person_name(str(data.get("name") or ""))
    if not data["name"]:
        errors["name"] = ["请填写姓名。"]
    elif len(data["name"]) > 32:
        errors["name"] = ["姓名不能超过 32 个字。"]
    try:
        data["id_number"] = idnumber.validate(
            str(data.get("id_number") or ""), living=True, today=today
        )
    except idnumber.IdNumberError as exc:
        errors["id_number"] = [str(exc)]
    try:
        data["phone"] = phone_clean(data.get("phone") or "", landline=True)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    for field, (label, limit) in TEXT_LIMITS.items():
        value = str(data.get(field) or "").strip()
        data[field] = value
        if len(value) > limit:
            errors[field] = [f"{label}不能超过 {limit} 个字。"]
    degree = data.get("degree") or ""
    if degree and degree not in Degree.values:
        errors["degree"] = ["学历学位不在可选范围内。"]
    data["degree"] = degree
    title = data.get("title")
    if title is not None and title.county_id != county.pk:
        errors["title"] = ["人才称号不属于本县。"]
    arrived = data.get("arrived_on")
    if arrived and arrived > (today or timezone.localdate()):
        errors["arrived_on"] = ["来县工作时间不能晚于今天。"]
    return errors


def _derive(talent: Talent) -> None:
    """Birth date, gender and initials follow the ID number and name; the member and cadre
    records are linked by the same ID number when present (and not yet linked), through its
    blind index (numbers are encrypted: one person's number has one index in every table)."""
    talent.birth_date = idnumber.birth_date(talent.id_number)
    talent.gender = idnumber.gender_code(talent.id_number)
    talent.name_initials = initials_index(talent.name)
    if talent.member_id is None:
        talent.member_id = (
            Member.objects.filter(id_number_index=talent.id_number_index)
            .values_list("pk", flat=True)
            .first()
        )
    if talent.cadre_id is None:
        talent.cadre_id = (
            Cadre.objects.filter(id_number_index=talent.id_number_index)
            .values_list("pk", flat=True)
            .first()
        )


ID_TAKEN = "本县人才库已有该公民身份号码的人才。"


def talent_create(*, actor, county, data: dict[str, Any]) -> Talent:
    """Register a talent (人才入库) in the county's registry."""
    require_talent_office(actor, county.path)
    data = {k: data.get(k) for k in TALENT_FIELDS}
    errors = talent_rules(data, county=county)
    with transaction.atomic():
        if "id_number" not in errors and (
            Talent.objects.filter(county=county, id_number=data["id_number"]).exists()
        ):
            errors["id_number"] = [ID_TAKEN]
        _raise(errors)
        talent = Talent(county=county, **data)
        _derive(talent)
        try:
            with transaction.atomic():
                talent.save()
        except IntegrityError as exc:  # another clerk registered the same person just now
            raise ValidationError({"id_number": [ID_TAKEN]}) from exc
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=talent,
            org_path=county.path,
            after=snapshot(talent),
            message=f"人才入库：{talent.name}",
        )
    return talent


def talent_update(*, actor, talent: Talent, data: dict[str, Any]) -> Talent:
    """Change a talent's fields (those given in `data`)."""
    require_talent_office(actor, talent.county.path, target=talent)
    merged = {k: data[k] if k in data else getattr(talent, k) for k in TALENT_FIELDS}
    errors = talent_rules(merged, county=talent.county)
    with transaction.atomic():
        locked = Talent.objects.select_for_update().get(pk=talent.pk)
        if (
            "id_number" not in errors
            and Talent.objects.filter(county=locked.county_id, id_number=merged["id_number"])
            .exclude(pk=locked.pk)
            .exists()
        ):
            errors["id_number"] = [ID_TAKEN]
        _raise(errors)
        before = snapshot(locked)
        if blind_index("id_number", merged["id_number"]) != locked.id_number_index:
            locked.member_id = locked.cadre_id = None
        for field, value in merged.items():
            setattr(locked, field, value)
        _derive(locked)
        old, new = changed_fields(before, snapshot(locked))
        if new:
            locked.save()
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=locked,
                org_path=talent.county.path,
                before=old,
                after=new,
                message=f"修改人才信息：{locked.name}",
            )
    return locked


def talent_leave(*, actor, talent: Talent, left_on: datetime.date, note: str = "") -> Talent:
    """Record that a talent left the county (离开) on `left_on`: their subsidies stop by the
    policy's rule and they drop out of the visit check. `talent_return` undoes it."""
    require_talent_office(actor, talent.county.path, target=talent)
    if talent.arrived_on and left_on < talent.arrived_on:
        raise ValidationError({"left_on": ["离开时间不能早于来县工作时间。"]})
    if left_on > timezone.localdate():
        raise ValidationError({"left_on": ["离开时间不能晚于今天。"]})
    return _set_status(
        actor=actor,
        talent=talent,
        status=TalentStatus.LEFT,
        left_on=left_on,
        message=f"人才离开本县：{talent.name}（{left_on:%Y-%m-%d}）{note}",
    )


def talent_return(*, actor, talent: Talent) -> Talent:
    require_talent_office(actor, talent.county.path, target=talent)
    return _set_status(
        actor=actor,
        talent=talent,
        status=TalentStatus.IN_COUNTY,
        left_on=None,
        message=f"人才恢复在县：{talent.name}",
    )


def _set_status(*, actor, talent: Talent, status: str, left_on, message: str) -> Talent:
    with transaction.atomic():
        locked = Talent.objects.select_for_update().get(pk=talent.pk)
        before = snapshot(locked)
        locked.status, locked.left_on = status, left_on
        locked.save(update_fields=["status", "left_on", "updated_at"])
        old, new = changed_fields(before, snapshot(locked))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=locked,
            org_path=talent.county.path,
            before=old,
            after=new,
            message=message,
        )
    return locked


def talent_account_link(*, actor, talent: Talent, username: str) -> Talent:
    """Give a talent their own login (本人账号: they see their record, subsidy lines and flat):
    an active account the system administrator created, by its username."""
    require_talent_office(actor, talent.county.path, target=talent)
    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise ValidationError({"user": [f"没有名为“{username}”的账号，请先请系统管理员开通。"]})
    if Talent.objects.filter(user=user).exclude(pk=talent.pk).exists():
        raise ValidationError({"user": ["该账号已关联其他人才。"]})
    with transaction.atomic():
        before = snapshot(talent)
        talent.user = user
        talent.save(update_fields=["user", "updated_at"])
        old, new = changed_fields(before, snapshot(talent))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=talent,
            org_path=talent.county.path,
            before=old,
            after=new,
            message=f"为人才关联本人账号：{talent.name}",
        )
    return talent


# --- platforms -------------------------------------------------------------------------------
PLATFORM_FIELDS = ("name", "kind", "level", "host", "established_on", "note")


def platform_save(*, actor, county, platform: Platform | None = None, data: dict) -> Platform:
    """Add a platform (platform=None) or change one."""
    require_talent_office(actor, county.path, target=platform)
    return _county_record_save(
        actor=actor,
        county=county,
        record=platform or Platform(county=county),
        fields=PLATFORM_FIELDS,
        data=data,
        label="人才平台",
    )


def platform_person_add(
    *,
    actor,
    platform: Platform,
    role: str,
    talent: Talent | None = None,
    name: str = "",
    affiliation: str = "",
) -> PlatformPerson:
    """A person joins a platform: a talent of the same county, or an outside adviser by name."""
    require_talent_office(actor, platform.county.path, target=platform)
    if talent is not None and talent.county_id != platform.county_id:
        raise ValidationError({"talent": ["只能添加本县人才库中的人才。"]})
    if talent is None and not name.strip():
        raise ValidationError({"name": ["请选择人才，或填写库外顾问的姓名。"]})
    if talent is not None and platform.people.filter(talent=talent).exists():
        raise ValidationError({"talent": [f"{talent.name}已在该平台。"]})
    person = PlatformPerson(
        platform=platform,
        talent=talent,
        name="" if talent else name.strip(),
        affiliation="" if talent else affiliation.strip(),
        role=role,
    )
    person.full_clean()
    with transaction.atomic():
        person.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=person,
            org_path=platform.county.path,
            after=snapshot(person),
            message=f"人才平台“{platform.name}”增加人员：{person}",
        )
    return person


def platform_person_remove(*, actor, person: PlatformPerson) -> None:
    platform = person.platform
    require_talent_office(actor, platform.county.path, target=person)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=person,
            org_path=platform.county.path,
            before=snapshot(person),
            message=f"人才平台“{platform.name}”移除人员：{person}",
        )
        person.delete()


# --- care events -----------------------------------------------------------------------------
CARE_FIELDS = ("kind", "title", "held_on", "place", "hosts", "note")


def care_event_save(
    *,
    actor,
    county,
    event: CareEvent | None = None,
    data: dict,
    talents: list[Talent],
    today: datetime.date | None = None,
) -> CareEvent:
    """Record a care event (关心关爱: a health check, a visit, a breakfast meeting…) with the
    talents who took part, or change one. Participants are the county's talents."""
    require_talent_office(actor, county.path, target=event)
    outside = [t.name for t in talents if t.county_id != county.pk]
    if outside:
        raise ValidationError({"talents": [f"{'、'.join(outside)}不在本县人才库。"]})
    if not talents:
        raise ValidationError({"talents": ["请选择参加的人才。"]})
    before = (
        {**snapshot(event), "talents": sorted(event.talents.values_list("pk", flat=True))}
        if event
        else None
    )
    event = event or CareEvent(county=county)
    for field in CARE_FIELDS:
        if field in data:
            value = data[field]
            setattr(event, field, value.strip() if isinstance(value, str) else value)
    if event.held_on and event.held_on > (today or timezone.localdate()):
        raise ValidationError({"held_on": ["活动日期不能晚于今天（计划中的活动请在活动后登记）。"]})
    event.full_clean(exclude=["county"])
    after = {**snapshot(event), "talents": sorted(t.pk for t in talents)}
    old, new = changed_fields(before or {}, after)
    if before is not None and not new:
        return event
    with transaction.atomic():
        event.save()
        event.talents.set(talents)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            target=event,
            org_path=county.path,
            before=old or None,
            after=new,
            message=f"{'修改' if before else '登记'}关心关爱活动：{event}（{len(talents)} 人）",
        )
    return event
