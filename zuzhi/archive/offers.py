"""Entries offered from data for the performance archive (建议记入档案): what the cadre
section may accept into a cadre's archive (记入) or dismiss (不予记入) without typing it.

An offer is identified by its source object (source_type, source_id) and its cadre: the key
of ArchiveEntry's "accepted once" constraint and of OfferDismissal. Three sources: a
published contest's top and bottom places, a star rating rise or fall, a discipline record.
Offers are computed from the data each time (nothing stored until accepted or dismissed)."""

import datetime
from dataclasses import dataclass

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from zuzhi.cadres.models import Cadre, PostHolding
from zuzhi.contests.models import Contest, ContestStatus, ResultRow
from zuzhi.contests.selectors.results import published_version
from zuzhi.core.params import object_id
from zuzhi.core.roles import Role
from zuzhi.core.scope import (
    ancestor_paths,
    get_or_logged_404,
    is_system,
    role_paths,
    roots_q,
)
from zuzhi.ratings.models import PeriodKind, StarScheme, SubjectKind
from zuzhi.ratings.periods import period_name, period_recent, period_valid
from zuzhi.ratings.selectors import settled_level_changes

from .models import ArchiveEntry, EntryKind, EntrySource, OfferDismissal, SupervisionKind
from .selectors import active_supervision_records, section_cadres

# Places at each end of a published result that are offered to the leaders' archives.
OFFER_PLACES = 3
CONTEST_SOURCE_TYPE = "contests.contest"
STAR_SOURCE_TYPE = "ratings.level"
DISCIPLINE_SOURCE_TYPE = "archive.supervisionrecord"
STAR_CATEGORY = "星级评定"
# The rating periods looked at for a rise or a fall: this year and last, or four quarters.
STAR_OFFER_PERIODS = {PeriodKind.YEAR: 2, PeriodKind.QUARTER: 4}
STAR_LEVEL_NAMES = ["无星", "一星", "二星", "三星", "四星", "五星", "六星", "七星", "八星", "九星"]
# Supervision-file kinds offered as a fault: the decided sanctions and organizational
# handling. An investigation (立案审查) is not a finding (its outcome is filed as a record of
# its own, and the discipline trigger already opens a case on it); negative-list items and
# other records go into the archive by hand when the section judges them a fault.
DISCIPLINE_OFFER_KINDS = (
    SupervisionKind.ADMONISHMENT,
    SupervisionKind.PARTY_DISCIPLINE,
    SupervisionKind.GOVERNMENT_SANCTION,
    SupervisionKind.ORGANIZATIONAL,
)
MAX_OFFER_TEXT = 1800  # the record's text in the entry, under the entry's 2,000


@dataclass
class Offer:
    """An entry proposed from data, for the cadre section to accept or dismiss."""

    cadre: Cadre
    organization_name: str
    text: str
    date: datetime.date
    source: str
    source_type: str
    source_id: str
    kind: str
    category: str
    # A contest's place: rank of total, at the "top" or the "bottom" end.
    rank: int | None = None
    total: int | None = None
    end: str = ""

    @property
    def kind_label(self) -> str:
        return EntryKind(self.kind).label

    @property
    def source_label(self) -> str:
        return EntrySource(self.source).label


def _chief_holdings(organization_ids) -> QuerySet[PostHolding]:
    """Chief posts held now on the teams of these organizations, by active cadres."""
    return PostHolding.objects.filter(
        end__isnull=True,
        leadership_level__endswith="_chief",
        team_post__team__organization__in=organization_ids,
        cadre__is_active=True,
    ).select_related("cadre", "cadre__organization", "team_post__team")


def _handled(*, source_type: str, source_ids=None, cadre_ids=None) -> set[tuple[int, str]]:
    """(cadre id, source id) of the offers of a source type accepted or dismissed before."""
    keys: set[tuple[int, str]] = set()
    for model in (ArchiveEntry, OfferDismissal):
        rows = model.objects.filter(source_type=source_type)
        if source_ids is not None:
            rows = rows.filter(source_id__in=source_ids)
        if cadre_ids is not None:
            rows = rows.filter(cadre_id__in=cadre_ids)
        keys |= set(rows.values_list("cadre_id", "source_id"))
    return keys


def archive_offers_for_contest(
    *, contest: Contest, user=None, places: int = OFFER_PLACES
) -> list[Offer]:
    """For a published contest or index: the top and bottom `places` of its result, offered
    to the current leaders (chief posts of the teams) of each of those entrant organizations,
    leaving out what was accepted or dismissed before. With `user`, only the cadres of their
    cadre section."""
    if contest.status != ContestStatus.PUBLISHED:
        return []
    version = published_version(contest)
    if version is None:
        return []
    rows = list(
        ResultRow.objects.filter(
            version=version, entrant__member__isnull=True, entrant__talent__isnull=True
        )
        .select_related("entrant__organization")
        .order_by("rank", "entrant__number")
    )
    total = len(rows)
    ends = {}
    for row in rows:
        if row.rank <= places:
            ends[row.entrant.organization_id] = (row, "top")
        elif row.rank > total - places:
            ends[row.entrant.organization_id] = (row, "bottom")
    if not ends:
        return []
    holdings = _chief_holdings(list(ends))
    if user is not None:
        holdings = holdings.filter(cadre__in=section_cadres(user=user))
    source_id = str(contest.pk)
    done = _handled(source_type=CONTEST_SOURCE_TYPE, source_ids=[source_id])
    day = timezone.localdate(version.published_at) if version.published_at else contest.ends_on
    offers, seen = [], set()
    for holding in holdings.order_by("team_post__team__organization__path", "cadre__name"):
        row, end = ends[holding.team_post.team.organization_id]
        if (holding.cadre_id, source_id) in done or holding.cadre_id in seen:
            continue
        seen.add(holding.cadre_id)
        name = row.entrant.organization.short_name or row.entrant.name
        offers.append(
            Offer(
                cadre=holding.cadre,
                organization_name=name,
                rank=row.rank,
                total=total,
                end=end,
                text=f"{name} 在 {contest.name} 中排名第 {row.rank}/{total}（{holding.title}）",
                date=day or timezone.localdate(),
                source=EntrySource.CONTEST,
                source_type=CONTEST_SOURCE_TYPE,
                source_id=source_id,
                kind=EntryKind.RANKING,
                category="考评排名",
            )
        )
    return sorted(offers, key=lambda o: (o.rank, o.cadre.name))


def _star_level_name(level: int) -> str:
    return STAR_LEVEL_NAMES[level] if level < len(STAR_LEVEL_NAMES) else f"{level}星"


def star_offers(*, user=None, key: tuple[int, str, int] | None = None) -> list[Offer]:
    """Star rating rises and falls (升星/降星) of the organizations the organization schemes
    rate, in their recent periods (STAR_OFFER_PERIODS), offered to the current leaders
    (chief posts) of the teams on each organization: a rise as an honour (荣誉: the county
    confers the star), a fall as a ranking result (排名结果: the rating went down, which is
    not by itself a fault found against the leader). A level counts once the period is
    settled for the organization (ratings.selectors.settled_level_changes). With `user`,
    only the cadres of their cadre section; `key` (scheme id, period, organization id)
    narrows to one change. Queries: one per scheme and period and four more, whatever the
    number of organizations."""
    today = timezone.localdate()
    schemes = (
        StarScheme.objects.filter(is_active=True)
        .exclude(subject_kind=SubjectKind.MEMBER)
        .select_related("organization")
        .prefetch_related("copies__organization")
        .order_by("sort_order", "pk")
    )
    if key is not None:
        schemes = schemes.filter(pk=key[0])
    changes: dict[int, list[tuple]] = {}
    for scheme in schemes:
        if key is not None:
            if not period_valid(scheme.period_kind, key[1]):
                return []
            periods = [key[1]]
        else:
            periods = period_recent(
                scheme.period_kind, today, STAR_OFFER_PERIODS[scheme.period_kind]
            )
        for period in periods:
            found = settled_level_changes(scheme=scheme, period=period)
            if key is not None:
                found = found.filter(pk=key[2])
            for org_id, name, level, previous, decided_at in found.values_list(
                "pk", "name", "star_level", "previous_level", "decided_at"
            ):
                changes.setdefault(org_id, []).append(
                    (scheme, period, name, level, previous, decided_at)
                )
    if not changes:
        return []
    holdings = _chief_holdings(list(changes))
    if user is not None:
        holdings = holdings.filter(cadre__in=section_cadres(user=user))
    holdings = list(holdings.order_by("team_post__team__organization__path", "cadre__name"))
    done = _handled(source_type=STAR_SOURCE_TYPE, cadre_ids=sorted({h.cadre_id for h in holdings}))
    offers, seen = [], set()
    for holding in holdings:
        for scheme, period, name, level, previous, decided_at in changes[
            holding.team_post.team.organization_id
        ]:
            source_id = f"{scheme.pk}:{period}:{holding.team_post.team.organization_id}"
            if (holding.cadre_id, source_id) in done or (holding.cadre_id, source_id) in seen:
                continue
            seen.add((holding.cadre_id, source_id))
            rose = level > previous
            move = "升为" if rose else "降为"
            offers.append(
                Offer(
                    cadre=holding.cadre,
                    organization_name=name,
                    text=(
                        f"{name} {period_name(period)} {scheme.name} 由"
                        f"{_star_level_name(previous)}{move}{_star_level_name(level)}"
                        f"（{holding.title}）"
                    ),
                    date=min(timezone.localdate(decided_at), today) if decided_at else today,
                    source=EntrySource.STAR_RATING,
                    source_type=STAR_SOURCE_TYPE,
                    source_id=source_id,
                    kind=EntryKind.HONOUR if rose else EntryKind.RANKING,
                    category=STAR_CATEGORY,
                )
            )
    return offers


def discipline_offers(*, user=None, record_id: int | None = None) -> list[Offer]:
    """Open records of the supervision file of the kinds in DISCIPLINE_OFFER_KINDS, offered
    as a fault (过错) to the cadre's own archive; excused (容错免责) and cleared (澄清保护)
    records are not offered (an entry accepted before they were stays: the ledger is
    append-only). With `user`, only the cadres of their cadre section. One query."""
    source_id = Cast(OuterRef("pk"), output_field=CharField())

    def handled(model):
        return model.objects.filter(
            cadre=OuterRef("cadre"), source_type=DISCIPLINE_SOURCE_TYPE, source_id=source_id
        )

    records = (
        active_supervision_records()
        .filter(kind__in=DISCIPLINE_OFFER_KINDS, cadre__is_active=True)
        .exclude(Exists(handled(ArchiveEntry)))
        .exclude(Exists(handled(OfferDismissal)))
        .select_related("cadre", "cadre__organization")
        .order_by("cadre__organization__path", "cadre__name", "date", "pk")
    )
    if user is not None:
        records = records.filter(cadre__in=section_cadres(user=user))
    if record_id is not None:
        records = records.filter(pk=record_id)
    today = timezone.localdate()
    offers = []
    for record in records:
        label = record.get_kind_display()
        text = f"{label}：{record.text[:MAX_OFFER_TEXT]}（{record.source}，{record.date:%Y-%m-%d}）"
        offers.append(
            Offer(
                cadre=record.cadre,
                organization_name=record.cadre.unit_name or record.cadre.organization.name,
                text=text,
                date=min(record.date, today),
                source=EntrySource.DISCIPLINE,
                source_type=DISCIPLINE_SOURCE_TYPE,
                source_id=str(record.pk),
                kind=EntryKind.FAULT,
                category=label,
            )
        )
    return offers


def pending_offers(*, user) -> list[Offer]:
    """The star rating and discipline offers waiting for the user's cadre section (the
    contests' offers are read per contest: `archive_offers_for_contest`)."""
    return star_offers(user=user) + discipline_offers(user=user)


def _star_key(source_id: str) -> tuple[int, str, int] | None:
    parts = source_id.split(":")
    if len(parts) != 3:
        return None
    scheme_id, organization_id = object_id(parts[0]), object_id(parts[2])
    if scheme_id is None or organization_id is None:
        return None
    return scheme_id, parts[1], organization_id


def offer_find(*, user, cadre: Cadre, source_type: str, source_id: str) -> Offer | None:
    """The offer still pending for `cadre` from this source object, as the user's cadre
    section sees it; None when there is none (never offered, accepted or dismissed)."""
    source_id = (source_id or "").strip()
    offers: list[Offer] = []
    if source_type == CONTEST_SOURCE_TYPE and (pk := object_id(source_id)):
        contest = _offer_contests(user).filter(pk=pk).first()
        offers = archive_offers_for_contest(contest=contest, user=user) if contest else []
    elif source_type == STAR_SOURCE_TYPE and (key := _star_key(source_id)):
        offers = star_offers(user=user, key=key)
    elif source_type == DISCIPLINE_SOURCE_TYPE and (pk := object_id(source_id)):
        offers = discipline_offers(user=user, record_id=pk)
    return next((o for o in offers if o.cadre.pk == cadre.pk and o.source_id == source_id), None)


def _offer_contests(user) -> QuerySet[Contest]:
    """Published contests organized in or above the user's cadre section (a county index
    ranks the townships a township's cadre section looks after)."""
    roots = role_paths(user, Role.CADRE_STAFF)
    if is_system(user):
        return Contest.objects.filter(status=ContestStatus.PUBLISHED, is_template=False)
    if not roots:
        return Contest.objects.none()
    above = Q(organization__path__in=sorted({a for r in roots for a in ancestor_paths(r)}))
    q = above | roots_q(roots, "organization__path")
    return Contest.objects.filter(q, status=ContestStatus.PUBLISHED, is_template=False)


def offer_contest_get(*, user, pk) -> Contest:
    """A published contest whose ranking the user's cadre section may take into the archive;
    the logged 404 otherwise."""
    return get_or_logged_404(
        user, _offer_contests(user).select_related("organization"), Contest.objects.all(), pk=pk
    )


def contests_with_offers(*, user) -> list[Contest]:
    """The latest published contests the user's cadre section may take rankings from."""
    return list(_offer_contests(user).order_by("-pk")[:20])
