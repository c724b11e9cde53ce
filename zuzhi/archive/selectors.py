"""Reads of the performance archive (实绩档案), the supervision file and the watch list.

Everything starts from the models' `visible_to` (cadres.models.scoping): the cadre section
sees its subtree; a cadre sees their own archive entries and nothing else here. Supervision
records and watch entries are the cadre section's only (no `own_field`). The entries offered
from data (建议记入档案) are read in offers.py."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from zuzhi.cadres.models import Cadre, NominationStatus, SelfNomination
from zuzhi.cadres.models.scoping import cadre_section_q, require_cadre_section
from zuzhi.core.scope import (
    deny,
)

from .models import (
    ArchiveEntry,
    SupervisionRecord,
    SupervisionStatus,
    WatchEntry,
)


def quarter_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of the quarter `day` is in."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = datetime.date(day.year, first_month, 1)
    if first_month == 10:
        after = datetime.date(day.year + 1, 1, 1)
    else:
        after = datetime.date(day.year, first_month + 3, 1)
    return start, after - datetime.timedelta(days=1)


def quarter_label(day: datetime.date) -> str:
    return f"{day.year}年第{(day.month - 1) // 3 + 1}季度"


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- cadres --------------------------------------------------------------------------------


def archive_cadre_get(*, user, pk, write: bool = False) -> Cadre:
    """A cadre whose archive the user reads: the cadre section, or the cadre's own account;
    `write` for the cadre section alone. The logged 404 otherwise."""
    cadre = Cadre.objects.select_related("organization").get_visible_or_404(user, pk=pk)
    if write:
        require_cadre_section(user, cadre.organization.path, target=cadre)
    return cadre


def staff_cadre_get(*, user, pk) -> Cadre:
    """A cadre for the cadre section's own files (supervision, watch list): the cadre's own
    account is refused like anyone else (logged 404)."""
    return archive_cadre_get(user=user, pk=pk, write=True)


def my_cadre(*, user) -> Cadre | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Cadre.objects.select_related("organization").filter(user=user).first()


def section_cadres(*, user) -> QuerySet[Cadre]:
    """The cadres of the user's cadre section (not their own record through `own_field`)."""
    q = cadre_section_q(user, "organization__path")
    return Cadre.objects.filter(q) if q is not None else Cadre.objects.none()


def require_staff(user, *, target=None) -> None:
    """Pages of the cadre section only: anyone else gets the logged 404."""
    if cadre_section_q(user, "organization__path") is None:
        raise deny(user, target=target, message="试图查看干部科的实绩档案工作页面")


# --- archive entries ------------------------------------------------------------------------


def entries_of(*, cadre: Cadre) -> QuerySet[ArchiveEntry]:
    """A cadre's entries, newest first (the cadre read through `archive_cadre_get`)."""
    return (
        ArchiveEntry.objects.filter(cadre=cadre)
        .select_related("recorded_by", "reviewed_by", "reverses")
        .annotate(is_reversed=Exists(ArchiveEntry.objects.filter(reverses=OuterRef("pk"))))
        .order_by("-date", "-pk")
    )


def entry_get(*, user, pk, write: bool = False) -> ArchiveEntry:
    entry = ArchiveEntry.objects.select_related("cadre__organization").get_visible_or_404(
        user, pk=pk
    )
    if write:
        require_cadre_section(user, entry.cadre.organization.path, target=entry)
    return entry


def standing_entries(*, cadre: Cadre) -> QuerySet[ArchiveEntry]:
    """The entries that stand: neither reversals nor reversed (what an inspection reads)."""
    return ArchiveEntry.objects.filter(
        cadre=cadre, reverses__isnull=True, reversed_by__isnull=True
    ).order_by("date", "pk")


def entries_to_review(*, user) -> QuerySet[ArchiveEntry]:
    """Entries the user's cadre section has not reviewed yet, oldest first."""
    return (
        ArchiveEntry.objects.filter(cadre__in=section_cadres(user=user), reviewed_at__isnull=True)
        .select_related("cadre", "cadre__organization")
        .order_by("recorded_at", "pk")
    )


def cadres_without_reviewed_entry(*, user, day: datetime.date | None = None) -> QuerySet[Cadre]:
    """Active cadres of the user's section with no entry reviewed in the quarter of `day`
    (an entry counts for the quarter in which the cadre section reviewed it; reversals and
    reversed entries do not count)."""
    day = day or timezone.localdate()
    start, end = quarter_bounds(day)
    reviewed = ArchiveEntry.objects.filter(
        cadre=OuterRef("pk"),
        reviewed_at__gte=_local_midnight(start),
        reviewed_at__lt=_local_midnight(end + datetime.timedelta(days=1)),
        reverses__isnull=True,
        reversed_by__isnull=True,
    )
    return (
        section_cadres(user=user)
        .filter(is_active=True)
        .exclude(Exists(reviewed))
        .select_related("organization")
        .order_by("organization__path", "name", "pk")
    )


# --- supervision file (监督档案) -------------------------------------------------------------


def active_supervision_records() -> QuerySet[SupervisionRecord]:
    """Records that feed triggers and promotion refusals: excused (容错免责) and cleared
    (澄清保护) ones stay in the file but are left out here."""
    return SupervisionRecord.objects.filter(status=SupervisionStatus.OPEN)


def active_supervision(*, cadre: Cadre) -> QuerySet[SupervisionRecord]:
    return active_supervision_records().filter(cadre=cadre)


def supervision_of(*, cadre: Cadre) -> QuerySet[SupervisionRecord]:
    """A cadre's whole file, excused and cleared records included (read through
    `staff_cadre_get`)."""
    return SupervisionRecord.objects.filter(cadre=cadre).select_related("decided_by")


def supervision_get(*, user, pk) -> SupervisionRecord:
    record = SupervisionRecord.objects.select_related("cadre__organization").get_visible_or_404(
        user, pk=pk
    )
    require_cadre_section(user, record.cadre.organization.path, target=record)
    return record


# --- watch list (考察视野) -------------------------------------------------------------------


def watch_list(*, user) -> QuerySet[WatchEntry]:
    """The cadres on the section's watch list now."""
    return (
        WatchEntry.objects.filter(cadre__in=section_cadres(user=user), removed_at__isnull=True)
        .select_related("cadre", "cadre__organization", "added_by")
        .order_by("cadre__organization__path", "cadre__name", "pk")
    )


def watch_to_review(*, user, day: datetime.date | None = None) -> QuerySet[WatchEntry]:
    """Entries on the list not reviewed in the quarter of `day` (entries added in it count as
    reviewed: they were looked at when added)."""
    day = day or timezone.localdate()
    start, _ = quarter_bounds(day)
    return (
        watch_list(user=user)
        .exclude(reviewed_at__gte=start)
        .exclude(added_at__gte=_local_midnight(start))
    )


def watch_get(*, user, pk) -> WatchEntry:
    entry = WatchEntry.objects.select_related("cadre__organization").get_visible_or_404(user, pk=pk)
    require_cadre_section(user, entry.cadre.organization.path, target=entry)
    return entry


def watch_candidates(*, user) -> QuerySet[SelfNomination]:
    """Accepted self-nominations (已纳入考察视野) whose cadre is not on the list yet."""
    on_list = WatchEntry.objects.filter(cadre=OuterRef("cadre"), removed_at__isnull=True)
    return (
        SelfNomination.objects.filter(
            cadre__in=section_cadres(user=user), status=NominationStatus.ACCEPTED
        )
        .exclude(Exists(on_list))
        .exclude(watch_entry__isnull=False)
        .select_related("cadre", "cadre__organization")
        .order_by("-decided_at", "-pk")
    )


@dataclass
class QuarterTodo:
    count: int
    end: datetime.date


def quarter_todo(*, user, day: datetime.date) -> QuarterTodo | None:
    """The home page's reminder: in the quarter's last month, how many cadres of the user's
    section still have no reviewed entry this quarter; None otherwise or when none."""
    _, end = quarter_bounds(day)
    if day.month != end.month or cadre_section_q(user, "organization__path") is None:
        return None
    count = cadres_without_reviewed_entry(user=user, day=day).count()
    return QuarterTodo(count=count, end=end) if count else None


def promotion_bars(cadre_ids, on) -> dict[int, str]:
    """Why each of `cadre_ids` may not be promoted on `on`: an open record of their
    supervision file dated on or before it (excused and cleared ones do not bar). Named in
    settings.ZUZHI_PROMOTION_EXCLUDED, which the promotion rounds consult."""
    rows = (
        active_supervision_records()
        .filter(cadre_id__in=list(cadre_ids), date__lte=on)
        .order_by("cadre_id", "-date")
    )
    bars: dict[int, str] = {}
    for record in rows:
        bars.setdefault(
            record.cadre_id, f"监督档案：{record.get_kind_display()}（{record.date:%Y-%m-%d}）"
        )
    return bars
