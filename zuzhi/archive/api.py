"""Performance archive API (实绩档案), mounted under /api/cadres beside the registry:
/api/cadres/{id}/archive (list, record) and /api/cadres/{id}/archive/reversals (冲正); and the
watch list, /api/watch-list. The same selectors and services as the pages."""

import datetime

from django.http import Http404
from ninja import Field, Router, Schema, Status

from zuzhi.core.params import ObjectId

from . import selectors as sel
from . import services
from .models import EntryKind, EntrySource, WatchReason

router = Router(tags=["实绩档案"])
watch_router = Router(tags=["考察视野"])


class EntryOut(Schema):
    id: int
    cadre_id: int
    date: datetime.date
    kind: EntryKind
    kind_label: str
    category: str
    text: str
    source: EntrySource
    source_label: str
    source_type: str
    source_id: str
    evidence_name: str
    reverses_id: int | None = Field(..., description="本条冲正的条目；普通条目为 null")
    reason: str = Field(..., description="冲正理由")
    reversed: bool = Field(..., description="本条已被冲正")
    recorded_at: datetime.datetime
    reviewed_at: datetime.datetime | None = Field(..., description="干部科审核时间；未审核为 null")


class EntryIn(Schema):
    date: datetime.date
    kind: EntryKind
    text: str = Field(..., max_length=services.MAX_TEXT)
    category: str = Field("", max_length=64)


class ReversalIn(Schema):
    entry_id: ObjectId = Field(..., description="要冲正的条目")
    reason: str = Field(..., max_length=services.MAX_TEXT, description="冲正理由")


class WatchOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str
    reason_kind: WatchReason
    reason_label: str
    note: str
    added_at: datetime.datetime
    reviewed_at: datetime.date | None


def _entry_out(entry, reversed_ids: set[int] | None = None) -> dict:
    return {
        "id": entry.pk,
        "cadre_id": entry.cadre_id,
        "date": entry.date,
        "kind": entry.kind,
        "kind_label": entry.get_kind_display(),
        "category": entry.category,
        "text": entry.text,
        "source": entry.source,
        "source_label": entry.get_source_display(),
        "source_type": entry.source_type,
        "source_id": entry.source_id,
        "evidence_name": entry.evidence_name,
        "reverses_id": entry.reverses_id,
        "reason": entry.reason,
        "reversed": getattr(entry, "is_reversed", False),
        "recorded_at": entry.recorded_at,
        "reviewed_at": entry.reviewed_at,
    }


@router.get("/{int:cadre_id}/archive", response=list[EntryOut], summary="干部实绩档案")
def archive_list(request, cadre_id: ObjectId):
    """The cadre section's, or the cadre's own (newest first, reversals included)."""
    cadre = sel.archive_cadre_get(user=request.user, pk=cadre_id)
    return [_entry_out(e) for e in sel.entries_of(cadre=cadre)]


@router.post("/{int:cadre_id}/archive", response={201: EntryOut}, summary="登记实绩档案条目")
def archive_record(request, cadre_id: ObjectId, payload: EntryIn):
    cadre = sel.archive_cadre_get(user=request.user, pk=cadre_id, write=True)
    entry = services.entry_record(actor=request.user, cadre=cadre, **payload.dict())
    return Status(201, _entry_out(entry))


@router.post(
    "/{int:cadre_id}/archive/reversals", response={201: EntryOut}, summary="冲正实绩档案条目"
)
def archive_reverse(request, cadre_id: ObjectId, payload: ReversalIn):
    """A correction is a reversing entry with its reason: entries are never changed."""
    cadre = sel.archive_cadre_get(user=request.user, pk=cadre_id, write=True)
    entry = sel.entry_get(user=request.user, pk=payload.entry_id, write=True)
    if entry.cadre_id != cadre.pk:
        raise Http404("未找到该条目。")
    reversal = services.entry_reverse(actor=request.user, entry=entry, reason=payload.reason)
    return Status(201, _entry_out(reversal))


@watch_router.get("", response=list[WatchOut], summary="考察视野名单")
def watch_list(request):
    """The cadre section's list now; empty for anyone else."""
    return [
        {
            "id": w.pk,
            "cadre_id": w.cadre_id,
            "cadre_name": w.cadre.name,
            "reason_kind": w.reason_kind,
            "reason_label": w.get_reason_kind_display(),
            "note": w.note,
            "added_at": w.added_at,
            "reviewed_at": w.reviewed_at,
        }
        for w in sel.watch_list(user=request.user)
    ]
