"""Writes of the performance archive (实绩档案), the supervision file and the watch list:
checked, saved and audited in one transaction.

The archive is a ledger (记账式): an entry is never changed nor deleted; a correction is a
reversing entry (冲正) with its reason; the review stamp (审核) is set once. Audit rows carry no
organization path (as for self-nominations): the audit administrator reads them, the
organization section does not (settings.ZUZHI_AUDIT_ADMIN_ONLY_TYPES holds "archive.")."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zuzhi.adjustments.models import Trigger
from zuzhi.adjustments.services import triggers_evaluate
from zuzhi.cadres.models import Cadre, NominationStatus, SelfNomination
from zuzhi.cadres.models.scoping import require_cadre_section
from zuzhi.core.audit import audit_bulk_record, audit_record, snapshot
from zuzhi.core.dates import date_range_errors, require_plausible_dates
from zuzhi.core.errors import RuleRefused
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user
from zuzhi.core.uploads import upload_error

from . import offers
from .models import (
    ArchiveEntry,
    EntryKind,
    EntrySource,
    OfferDismissal,
    SupervisionKind,
    SupervisionRecord,
    SupervisionStatus,
    WatchEntry,
    WatchReason,
)

AUDIT_ORG_PATH = ""
MAX_TEXT = 2000
DUPLICATE = "该建议条目已记入档案，不能重复记入。"
ENTRY_FIELDS = ["cadre", "date", "kind", "category", "text", "source", "source_type",
                "source_id", "evidence_name", "reverses", "reason"]  # fmt: skip


def _text(value) -> str:
    return (value or "").replace("\x00", "").strip()


def _require_text(errors: dict, field: str, value: str, label: str, *, limit: int = MAX_TEXT):
    if not value:
        errors[field] = [f"请填写{label}。"]
    elif len(value) > limit:
        errors[field] = [f"{label}不超过 {limit} 字。"]


def _audit(actor, target, message: str, *, before=None, after=None, action=AuditAction.CREATE):
    audit_record(
        actor=actor,
        action=action,
        target=target,
        org_path=AUDIT_ORG_PATH,
        before=before,
        after=after,
        message=message,
    )


# --- archive entries ------------------------------------------------------------------------


def _entry_errors(*, kind, source, text, category, date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in EntryKind.values:
        errors["kind"] = ["请选择类别（实绩、过错、荣誉、重点任务或排名结果）。"]
    if source not in EntrySource.values:
        errors["source"] = ["请选择来源。"]
    _require_text(errors, "text", text, "内容")
    if len(category) > 64:
        errors["category"] = ["分类不超过 64 字。"]
    if date is None:
        errors["date"] = ["请填写日期。"]
    elif date > timezone.localdate():
        errors["date"] = ["日期不能晚于今天。"]
    else:
        errors |= date_range_errors(date=date)
    return errors


def entry_record(
    *,
    actor,
    cadre: Cadre,
    date: datetime.date,
    kind: str,
    text: str,
    category: str = "",
    source: str = EntrySource.MANUAL,
    source_type: str = "",
    source_id: str = "",
    evidence=None,
) -> ArchiveEntry:
    """Record an entry in a cadre's archive (登记实绩档案), by the cadre section."""
    require_cadre_section(actor, cadre.organization.path, target=cadre)
    text, category = _text(text), _text(category)
    errors = _entry_errors(kind=kind, source=source, text=text, category=category, date=date)
    if evidence is not None and (problem := upload_error(evidence)):
        errors["evidence"] = [problem]
    if errors:
        raise ValidationError(errors)
    entry = ArchiveEntry(
        cadre=cadre,
        date=date,
        kind=kind,
        category=category,
        text=text,
        source=source,
        source_type=source_type,
        source_id=source_id,
        recorded_by=acting_user(actor),
    )
    if evidence is not None:
        entry.evidence = evidence
        entry.evidence_name = evidence.name[:200]
    try:
        with transaction.atomic():
            Cadre.objects.select_for_update().get(pk=cadre.pk)
            if (
                source_id
                and ArchiveEntry.objects.filter(
                    cadre=cadre, source=source, source_type=source_type, source_id=source_id
                ).exists()
            ):
                raise RuleRefused(DUPLICATE)
            entry.full_clean(exclude=["recorded_by", "reviewed_by", "evidence"])
            entry.save()
            _audit(actor, entry, "登记实绩档案", after=snapshot(entry, ENTRY_FIELDS))
    except IntegrityError as exc:
        raise RuleRefused(DUPLICATE) from exc
    return entry


def entry_record_many(*, actor, rows: list[dict]) -> list[ArchiveEntry]:
    """Record many plain entries at once (a month's review results, the demo): each row holds
    cadre, date, kind, text and optionally category and source, checked as `entry_record`
    checks one; one refused row refuses them all. No evidence files, no offered sources."""
    errors: dict[str, list[str]] = {}
    entries = []
    for number, row in enumerate(rows, start=1):
        cadre = row["cadre"]
        require_cadre_section(actor, cadre.organization.path, target=cadre)
        text, category = _text(row.get("text")), _text(row.get("category"))
        source = row.get("source", EntrySource.MANUAL)
        problems = _entry_errors(
            kind=row.get("kind"), source=source, text=text, category=category, date=row.get("date")
        )
        for field, messages in problems.items():
            errors.setdefault(field, []).extend(f"第 {number} 条：{m}" for m in messages)
        entries.append(
            ArchiveEntry(
                cadre=cadre,
                date=row.get("date"),
                kind=row.get("kind"),
                category=category,
                text=text,
                source=source,
                recorded_by=acting_user(actor),
            )
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        created = ArchiveEntry.objects.bulk_create(entries)
        audit_bulk_record(
            actor=actor,
            action=AuditAction.CREATE,
            items=[(e, AUDIT_ORG_PATH, snapshot(e, ENTRY_FIELDS)) for e in created],
        )
    return created


def entry_reverse(
    *, actor, entry: ArchiveEntry, reason: str, date: datetime.date | None = None
) -> ArchiveEntry:
    """Correct an entry by a reversing entry (冲正) with its reason; the entry itself stays."""
    require_cadre_section(actor, entry.cadre.organization.path, target=entry)
    reason = _text(reason)
    errors: dict[str, list[str]] = {}
    _require_text(errors, "reason", reason, "冲正理由")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Cadre.objects.select_for_update().get(pk=entry.cadre_id)
        entry = ArchiveEntry.objects.select_related("cadre").get(pk=entry.pk)
        if entry.reverses_id:
            raise RuleRefused("冲正条目不能再冲正；如原条目有误，请重新登记正确的条目。")
        if ArchiveEntry.objects.filter(reverses=entry).exists():
            raise RuleRefused("该条目已冲正。")
        reversal = ArchiveEntry(
            cadre=entry.cadre,
            date=date or timezone.localdate(),
            kind=entry.kind,
            category=entry.category,
            text=f"冲正 {entry.date:%Y-%m-%d}“{entry.text[:60]}”",
            source=EntrySource.MANUAL,
            reverses=entry,
            reason=reason,
            recorded_by=acting_user(actor),
        )
        reversal.full_clean(exclude=["recorded_by", "reviewed_by", "evidence"])
        reversal.save()
        _audit(actor, reversal, "冲正实绩档案条目", after=snapshot(reversal, ENTRY_FIELDS))
    return reversal


def entry_review(*, actor, entry: ArchiveEntry) -> ArchiveEntry:
    """The cadre section reviews an entry (审核): from then on it counts for the quarter."""
    require_cadre_section(actor, entry.cadre.organization.path, target=entry)
    if entry.cadre.user_id is not None and entry.cadre.user_id == getattr(actor, "pk", None):
        raise RuleRefused("不能审核本人的实绩档案条目。")
    now = timezone.now()
    with transaction.atomic():
        stamped = ArchiveEntry.objects.filter(pk=entry.pk).stamp_reviewed(
            by=acting_user(actor), at=now
        )
        if not stamped:
            raise RuleRefused("该条目已审核。")
        _audit(
            actor,
            entry,
            "审核实绩档案条目",
            action=AuditAction.UPDATE,
            before={"reviewed_at": None},
            after={"reviewed_at": now.isoformat()},
        )
    return ArchiveEntry.objects.get(pk=entry.pk)


def archive_offer_accept(*, actor, cadre: Cadre, source_type: str, source_id: str) -> ArchiveEntry:
    """Accept an entry offered from data (记入档案): a contest's place, a star rating rise or
    fall, a discipline record; never twice for the same cadre and source object."""
    offer = _offer(actor=actor, cadre=cadre, source_type=source_type, source_id=source_id)
    return entry_record(
        actor=actor,
        cadre=cadre,
        date=offer.date,
        kind=offer.kind,
        category=offer.category,
        text=offer.text,
        source=offer.source,
        source_type=offer.source_type,
        source_id=offer.source_id,
    )


def archive_offer_dismiss(
    *, actor, cadre: Cadre, source_type: str, source_id: str
) -> OfferDismissal:
    """Dismiss an offered entry (不予记入): it is not offered again."""
    offer = _offer(actor=actor, cadre=cadre, source_type=source_type, source_id=source_id)
    with transaction.atomic():
        dismissal, created = OfferDismissal.objects.get_or_create(
            cadre=cadre,
            source=offer.source,
            source_type=offer.source_type,
            source_id=offer.source_id,
            defaults={"dismissed_by": acting_user(actor)},
        )
        if created:
            _audit(actor, dismissal, f"不予记入实绩档案：{offer.text}")
    return dismissal


def _offer(*, actor, cadre: Cadre, source_type: str, source_id: str) -> offers.Offer:
    require_cadre_section(actor, cadre.organization.path, target=cadre)
    offer = offers.offer_find(user=actor, cadre=cadre, source_type=source_type, source_id=source_id)
    if offer is None:
        raise RuleRefused("没有给该干部的建议条目（可能已记入或不予记入）。")
    return offer


# --- supervision file (监督档案) -------------------------------------------------------------


def supervision_record(
    *, actor, cadre: Cadre, kind: str, date: datetime.date, source: str, text: str
) -> SupervisionRecord:
    """Record a negative-list item or a discipline or legal record (登记监督档案)."""
    require_cadre_section(actor, cadre.organization.path, target=cadre)
    source, text = _text(source), _text(text)
    errors: dict[str, list[str]] = {}
    if kind not in SupervisionKind.values:
        errors["kind"] = ["请选择类别。"]
    _require_text(errors, "source", source, "来源", limit=128)
    _require_text(errors, "text", text, "内容")
    if date is None:
        errors["date"] = ["请填写日期。"]
    if errors:
        raise ValidationError(errors)
    require_plausible_dates(date=date)
    with transaction.atomic():
        record = SupervisionRecord.objects.create(
            cadre=cadre,
            kind=kind,
            date=date,
            source=source,
            text=text,
            recorded_by=acting_user(actor),
        )
        _audit(
            actor,
            record,
            "登记监督档案",
            after=snapshot(record, ["cadre", "kind", "date", "source", "text", "status"]),
        )
        triggers_evaluate(actor=actor, cadre_ids=[cadre.pk], triggers=[Trigger.DISCIPLINE])
    return record


def supervision_decide(
    *,
    actor,
    record: SupervisionRecord,
    status: str,
    reason: str,
    decided_on: datetime.date | None = None,
) -> SupervisionRecord:
    """Rule a record excused (容错免责) or cleared (澄清保护) by a recorded decision: it stays
    in the file, and feeds no trigger and no promotion refusal from then on."""
    require_cadre_section(actor, record.cadre.organization.path, target=record)
    reason = _text(reason)
    decided_on = decided_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if status not in (SupervisionStatus.EXCUSED, SupervisionStatus.CLEARED):
        errors["status"] = ["请选择容错免责或澄清保护。"]
    _require_text(errors, "decision_reason", reason, "认定理由")
    if errors:
        raise ValidationError(errors)
    require_plausible_dates(decided_on=decided_on)
    with transaction.atomic():
        record = SupervisionRecord.objects.select_for_update().get(pk=record.pk)
        if record.status != SupervisionStatus.OPEN:
            raise RuleRefused(f"该记录已{record.get_status_display()}，不能再次认定。")
        before = snapshot(record, ["status", "decision_reason"])
        record.status = status
        record.decision_reason = reason
        record.decided_by = acting_user(actor)
        record.decided_on = decided_on
        record.save(update_fields=["status", "decision_reason", "decided_by", "decided_on"])
        _audit(
            actor,
            record,
            f"监督档案认定为{record.get_status_display()}",
            action=AuditAction.UPDATE,
            before=before,
            after=snapshot(record, ["status", "decision_reason"]),
        )
    return record


# --- watch list (考察视野) -------------------------------------------------------------------


def watch_add(
    *,
    actor,
    cadre: Cadre,
    reason_kind: str,
    note: str = "",
    nomination: SelfNomination | None = None,
) -> WatchEntry:
    """Put a cadre on the watch list (纳入考察视野)."""
    require_cadre_section(actor, cadre.organization.path, target=cadre)
    note = _text(note)
    errors: dict[str, list[str]] = {}
    if reason_kind not in WatchReason.values:
        errors["reason_kind"] = ["请选择纳入原因。"]
    if len(note) > MAX_TEXT:
        errors["note"] = [f"说明不超过 {MAX_TEXT} 字。"]
    if reason_kind == WatchReason.OTHER and not note:
        errors["note"] = ["其他原因须写明说明。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Cadre.objects.select_for_update().get(pk=cadre.pk)
        if WatchEntry.objects.filter(cadre=cadre, removed_at__isnull=True).exists():
            raise RuleRefused(f"{cadre.name}已在考察视野中。")
        entry = WatchEntry.objects.create(
            cadre=cadre,
            reason_kind=reason_kind,
            note=note,
            nomination=nomination,
            added_by=acting_user(actor),
        )
        _audit(
            actor,
            entry,
            "纳入考察视野",
            after=snapshot(entry, ["cadre", "reason_kind", "note", "nomination"]),
        )
    return entry


def watch_add_from_nomination(*, actor, nomination: SelfNomination) -> WatchEntry:
    """An accepted self-nomination enters the watch list; when the cadre is on it already,
    that entry is returned (the nomination decision may call this every time)."""
    if nomination.status != NominationStatus.ACCEPTED:
        raise RuleRefused("只有已采纳的自荐可以纳入考察视野。")
    cadre = nomination.cadre
    require_cadre_section(actor, cadre.organization.path, target=nomination)
    existing = WatchEntry.objects.filter(cadre=cadre, removed_at__isnull=True).first()
    if existing is not None:
        return existing
    return watch_add(
        actor=actor,
        cadre=cadre,
        reason_kind=WatchReason.SELF_NOMINATION,
        note=f"自荐：{nomination.target}",
        nomination=nomination,
    )


def watch_review(
    *, actor, entry: WatchEntry, keep: bool, reason: str = "", day: datetime.date | None = None
) -> WatchEntry:
    """The quarterly review (季度复核): keep the cadre on the list, or remove them with a
    reason (the entry stays, marked removed)."""
    require_cadre_section(actor, entry.cadre.organization.path, target=entry)
    reason = _text(reason)
    if not keep and not reason:
        raise ValidationError({"review_note": ["移出考察视野须写明理由。"]})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"review_note": [f"复核意见不超过 {MAX_TEXT} 字。"]})
    day = day or timezone.localdate()
    with transaction.atomic():
        entry = WatchEntry.objects.select_for_update().select_related("cadre").get(pk=entry.pk)
        if entry.removed_at is not None:
            raise RuleRefused("该干部已移出考察视野。")
        before = snapshot(entry, ["reviewed_at", "review_note", "removed_at"])
        entry.reviewed_at = day
        entry.review_note = reason
        if not keep:
            entry.removed_at = day
        entry.save(update_fields=["reviewed_at", "review_note", "removed_at"])
        _audit(
            actor,
            entry,
            "考察视野复核：保留" if keep else "考察视野复核：移出",
            action=AuditAction.UPDATE,
            before=before,
            after=snapshot(entry, ["reviewed_at", "review_note", "removed_at"]),
        )
    return entry
