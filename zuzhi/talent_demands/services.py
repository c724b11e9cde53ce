"""Writes of the demand catalogue (人才需求目录): editions, their entries, copying last year's
edition, publishing and unpublishing. Only the talent office of the edition's county writes;
every write is audited in its transaction. A published edition is what the public reads, so
it is changed only after it is taken back (撤回发布), which is audited with its reason."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import audit_bulk_record, audit_record, snapshot
from zuzhi.core.models import AuditAction
from zuzhi.talent.scoping import require_talent_office, talent_county

from .models import DemandEdition, DemandEntry, EditionStatus

EDITION_FIELDS = ["year", "title", "intro"]
ENTRY_FIELDS = [
    "industry",
    "employer",
    "post",
    "number",
    "degree",
    "major",
    "experience",
    "requirements",
    "salary",
    "housing",
    "subsidies",
    "contact",
    "note",
    "order",
]
PUBLISHED_LOCKED = "已发布的需求目录不能修改，请先撤回发布。"

# A contact is printed on the public page: a mobile there is someone's own number. Spaces,
# dashes and dots between its digits (138-1234-5678, +86 138 1234 5678) do not hide it.
_SEPARATORS = re.compile(r"[\s\-－—–.·()（）]")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9})(?!\d)")
PERSONAL_MOBILE = (
    "联系方式会在需求目录中公开，不能填写个人手机号码；请填写单位办公电话（座机，带区号）"
    "或电子邮箱。"
)


def has_mobile(text: str) -> bool:
    return bool(_MOBILE_IN_TEXT.search(_SEPARATORS.sub("", text or "")))


def _audit(actor, action, obj, *, edition: DemandEdition, before=None, after=None, message=""):
    audit_record(
        actor=actor,
        action=action,
        target=obj,
        org_path=edition.county.path,
        before=before,
        after=after,
        message=message,
    )


def _locked_edition(edition: DemandEdition) -> DemandEdition:
    """The edition's row locked: two clerks publishing and editing at once take turns."""
    return DemandEdition.objects.select_related("county").select_for_update().get(pk=edition.pk)


def _require_draft(edition: DemandEdition) -> None:
    if edition.status != EditionStatus.DRAFT:
        raise ValidationError(PUBLISHED_LOCKED)


def _year_free(county, year: int, *, exclude: int | None = None) -> None:
    """One edition per county and year; the county row is locked first, so two clerks (or a
    double click) creating the same year are served one after the other."""
    type(county).objects.select_for_update().filter(pk=county.pk).first()
    taken = DemandEdition.objects.filter(county=county, year=year).exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"year": [f"{year}年度的需求目录已存在。"]})


@transaction.atomic
def edition_create(*, actor, data: dict, county=None) -> DemandEdition:
    """A new, empty draft edition (新建年度目录) of `county`, by default the actor's."""
    county = county or talent_county(actor)
    require_talent_office(actor, county.path)
    edition = DemandEdition(county=county, **{f: data[f] for f in EDITION_FIELDS if f in data})
    if not edition.title and edition.year:
        edition.title = f"{edition.year}年度高层次人才需求目录"
    edition.full_clean(validate_constraints=False)
    _year_free(county, edition.year)
    edition.save()
    _audit(actor, AuditAction.CREATE, edition, edition=edition, after=snapshot(edition))
    return edition


@transaction.atomic
def edition_update(*, actor, edition: DemandEdition, data: dict) -> DemandEdition:
    require_talent_office(actor, edition.county.path, target=edition)
    edition = _locked_edition(edition)
    _require_draft(edition)
    before = snapshot(edition, EDITION_FIELDS)
    for f in EDITION_FIELDS:
        if f in data:
            setattr(edition, f, data[f])
    edition.full_clean(validate_constraints=False)
    _year_free(edition.county, edition.year, exclude=edition.pk)
    edition.save()
    _audit(
        actor,
        AuditAction.UPDATE,
        edition,
        edition=edition,
        before=before,
        after=snapshot(edition, EDITION_FIELDS),
    )
    return edition


@transaction.atomic
def edition_copy(*, actor, source: DemandEdition, year: int) -> DemandEdition:
    """A new draft edition for `year` holding a copy of every entry of `source` (从上年目录
    复制): the office then edits what changed rather than typing the catalogue again."""
    require_talent_office(actor, source.county.path, target=source)
    edition = DemandEdition(
        county=source.county,
        year=year,
        title=f"{year}年度高层次人才需求目录",
        intro=source.intro,
    )
    edition.full_clean(validate_constraints=False)
    _year_free(source.county, year)
    edition.save()
    copies = [
        DemandEntry(edition=edition, **{f: getattr(entry, f) for f in ENTRY_FIELDS})
        for entry in source.entries.all()
    ]
    DemandEntry.objects.bulk_create(copies, batch_size=500)
    _audit(
        actor,
        AuditAction.CREATE,
        edition,
        edition=edition,
        after=snapshot(edition),
        message=f"从“{source.title}”复制 {len(copies)} 个岗位",
    )
    return edition


@transaction.atomic
def edition_publish(*, actor, edition: DemandEdition) -> DemandEdition:
    """Publish (发布): the edition is then on the public page and the public API."""
    require_talent_office(actor, edition.county.path, target=edition)
    edition = _locked_edition(edition)
    if edition.status == EditionStatus.PUBLISHED:
        raise ValidationError("该需求目录已发布。")
    if not edition.entries.exists():
        raise ValidationError("需求目录中还没有岗位，不能发布。")
    edition.status = EditionStatus.PUBLISHED
    edition.published_at = timezone.now()
    edition.save(update_fields=["status", "published_at"])
    _audit(
        actor,
        AuditAction.UPDATE,
        edition,
        edition=edition,
        before={"status": EditionStatus.DRAFT},
        after={"status": edition.status},
        message="发布需求目录",
    )
    return edition


@transaction.atomic
def edition_unpublish(*, actor, edition: DemandEdition, reason: str) -> DemandEdition:
    """Take a published edition back (撤回发布) to a draft: it leaves the public page at
    once. The reason is required and kept in the audit log."""
    require_talent_office(actor, edition.county.path, target=edition)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写撤回发布的原因。"]})
    edition = _locked_edition(edition)
    if edition.status != EditionStatus.PUBLISHED:
        raise ValidationError("该需求目录尚未发布。")
    edition.status = EditionStatus.DRAFT
    edition.published_at = None
    edition.save(update_fields=["status", "published_at"])
    _audit(
        actor,
        AuditAction.UPDATE,
        edition,
        edition=edition,
        before={"status": EditionStatus.PUBLISHED},
        after={"status": edition.status},
        message=f"撤回发布：{reason[:200]}",
    )
    return edition


def entry_rules(data: dict) -> dict[str, list[str]]:
    """The field errors of an entry's data, as the form, the API and the import show them."""
    entry = DemandEntry(**{f: data[f] for f in ENTRY_FIELDS if f in data})
    try:
        entry.full_clean(exclude=["edition"])
    except ValidationError as exc:
        return exc.message_dict
    errors = {}
    if entry.number < 1:
        errors["number"] = ["需求人数至少为 1。"]
    if has_mobile(entry.contact):
        errors["contact"] = [PERSONAL_MOBILE]
    return errors


def _checked_entry(data: dict) -> dict:
    errors = entry_rules(data)
    if errors:
        raise ValidationError(errors)
    return {f: data[f] for f in ENTRY_FIELDS if f in data}


@transaction.atomic
def entry_create(*, actor, edition: DemandEdition, data: dict) -> DemandEntry:
    require_talent_office(actor, edition.county.path, target=edition)
    edition = _locked_edition(edition)
    _require_draft(edition)
    entry = DemandEntry(edition=edition, **_checked_entry(data))
    entry.save()
    _audit(actor, AuditAction.CREATE, entry, edition=edition, after=snapshot(entry, ENTRY_FIELDS))
    return entry


@transaction.atomic
def entry_update(*, actor, entry: DemandEntry, data: dict) -> DemandEntry:
    edition = entry.edition
    require_talent_office(actor, edition.county.path, target=entry)
    edition = _locked_edition(edition)
    _require_draft(edition)
    before = snapshot(entry, ENTRY_FIELDS)
    merged = {**before, **{f: data[f] for f in ENTRY_FIELDS if f in data}}
    for f, value in _checked_entry(merged).items():
        setattr(entry, f, value)
    entry.save()
    _audit(
        actor,
        AuditAction.UPDATE,
        entry,
        edition=edition,
        before=before,
        after=snapshot(entry, ENTRY_FIELDS),
    )
    return entry


@transaction.atomic
def entry_delete(*, actor, entry: DemandEntry) -> None:
    edition = entry.edition
    require_talent_office(actor, edition.county.path, target=entry)
    edition = _locked_edition(edition)
    _require_draft(edition)
    before = snapshot(entry, ENTRY_FIELDS)
    _audit(actor, AuditAction.DELETE, entry, edition=edition, before=before)
    entry.delete()


@transaction.atomic
def entries_bulk_create(*, actor, edition: DemandEdition, rows: list[dict]) -> int:
    """Entries already checked by `entry_rules` (the Excel import), written at once."""
    require_talent_office(actor, edition.county.path, target=edition)
    edition = _locked_edition(edition)
    _require_draft(edition)
    created = DemandEntry.objects.bulk_create(
        [DemandEntry(edition=edition, **_checked_entry(row)) for row in rows], batch_size=500
    )
    audit_bulk_record(
        actor=actor,
        action=AuditAction.CREATE,
        items=[(e, edition.county.path, snapshot(e, ENTRY_FIELDS)) for e in created],
    )
    return len(created)
