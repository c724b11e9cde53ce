"""Reads of the public vote (群众投票): the public page, live totals, the vote target every vote
reads, and the ledger's suspicious patterns (刷票线索).
"""

import datetime
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db.models import CharField, Count, F, Func, Max, Q
from django.db.models.functions import TruncMinute
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from zuzhi.core.params import MAX_ID, object_id

from ..models import (
    Contest,
    ContestStatus,
    Entrant,
    Stage,
    StageKind,
    Vote,
    VoteQuota,
)
from ..rules import public_vote_stage, voting_state


def public_contest_get(*, pk) -> Contest:
    """A contest shown to the public: one with a public vote, once started; never a draft or
    a template."""
    contest = (
        Contest.objects.filter(
            pk=object_id(pk), is_template=False, stages__kind=StageKind.PUBLIC_VOTE
        )
        .exclude(status=ContestStatus.DRAFT)
        .first()
    )
    if contest is None:
        raise Http404("未找到该评选。")
    return contest


def vote_counts(stage: Stage) -> dict[int, int]:
    """Valid votes per entrant (voided votes excluded)."""
    return dict(
        Vote.objects.filter(stage=stage, voided=False)
        .values("entrant_id")
        .annotate(n=Count("pk"))
        .values_list("entrant_id", "n")
    )


def vote_totals(stage: Stage) -> tuple[dict[int, int], int]:
    """Live totals for the public page, cached for a few seconds so a crowd of readers costs
    one count per interval; with the id of the last vote they count."""
    cache = caches["shared"]
    key = f"vote-totals:{stage.pk}"
    cached = cache.get(key)
    if not isinstance(cached, tuple):
        rows = (
            Vote.objects.filter(stage=stage, voided=False)
            .values("entrant_id")
            .annotate(n=Count("pk"), last=Max("pk"))
            .values_list("entrant_id", "n", "last")
        )
        totals, last = {}, 0
        for entrant_id, n, top in rows:
            totals[entrant_id] = n
            last = max(last, top)
        cached = (totals, last)
        cache.set(key, cached, settings.ZUZHI_VOTE_TOTALS_SECONDS)
    return cached


@dataclass(frozen=True)
class CastVote:
    """A vote this request has just cast: the voter sees it counted at once, even in totals
    read from the cache before it."""

    vote_id: int
    entrant_id: int


def public_contest(*, pk, cast: CastVote | None = None) -> dict:
    """What the public page and API show: entrants, stories, photos and vote totals. No member
    ids, no ID numbers, no phones; a talent's employer in place of the organization."""
    contest = public_contest_get(pk=pk)
    stage = public_vote_stage(contest)
    totals, last = vote_totals(stage)
    if cast is not None and cast.vote_id > last:
        totals = {**totals, cast.entrant_id: totals.get(cast.entrant_id, 0) + 1}
    reason = voting_state(stage)
    return {
        "id": contest.pk,
        "name": contest.name,
        "period_label": contest.period_label,
        "voting_open": not reason,
        "voting_message": reason or f"每人每天可投 {stage.votes_per_day} 票。",
        "votes_per_day": stage.votes_per_day,
        "entrants": [
            {
                "id": e.pk,
                "number": e.number,
                "name": e.name,
                # A talent is shown by name and employer only (no degree, age or phone).
                "organization": e.talent.employer if e.talent_id else e.organization.name,
                "story": e.story,
                "photo": reverse("contests:photo", args=[contest.pk, e.pk]) if e.photo else "",
                "votes": totals.get(e.pk, 0),
            }
            for e in contest.entrants.select_related("organization", "talent").order_by("number")
        ],
    }


def public_contests_open(*, limit: int = 100) -> list[dict]:
    """The contests the public can vote in now or soon (公开评选): started, with a public
    vote that has not closed; the soonest to close first. Names only, as on each page."""
    now = timezone.now()
    stages = (
        Stage.objects.filter(
            kind=StageKind.PUBLIC_VOTE,
            contest__is_template=False,
            contest__status=ContestStatus.RUNNING,
        )
        .filter(Q(vote_closes_at__isnull=True) | Q(vote_closes_at__gt=now))
        .select_related("contest__organization")
        .order_by(F("vote_closes_at").asc(nulls_last=True), "-contest_id")[:limit]
    )
    return [
        {
            "id": s.contest.pk,
            "name": s.contest.name,
            "period_label": s.contest.period_label,
            "organizer": s.contest.organization.name,
            "voting_open": not (reason := voting_state(s)),
            "voting_message": reason or f"每人每天可投 {s.votes_per_day} 票。",
            "closes_at": s.vote_closes_at,
            "url": reverse("contests:public", args=[s.contest.pk]),
        }
        for s in stages
    ]


def voter_status(*, stage: Stage, phone_digest: str) -> dict:
    """What one verified voter has done today (今日投票): the entrants voted for, and how many
    votes are left, from the same counters that enforce the limits."""
    day = timezone.localdate()
    keys = {"day": f"d:{phone_digest}:{day:%Y%m%d}", "total": f"t:{phone_digest}"}
    used = dict(
        VoteQuota.objects.filter(stage=stage, key__in=list(keys.values())).values_list(
            "key", "used"
        )
    )
    left = stage.votes_per_day - used.get(keys["day"], 0)
    if stage.votes_total:
        left = min(left, stage.votes_total - used.get(keys["total"], 0))
    # A range on cast_at (the stage/time index) finds today's votes without the day column.
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    voted = dict(
        Vote.objects.filter(
            stage=stage, cast_at__gte=start, phone_digest=phone_digest, voided=False
        )
        .values("entrant_id")
        .annotate(n=Count("pk"))
        .values_list("entrant_id", "n")
    )
    return {"left_today": max(left, 0), "voted_today": voted}


class _Ipv4Network(Func):
    """The /24 network of an IPv4 address as text ("10.1.2.0/24"), NULL for IPv6 or no
    address. PostgreSQL stores the address as inet, SQLite as its canonical text."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = (
            "CASE WHEN family(%(expressions)s) = 4 "
            "THEN network(set_masklen(%(expressions)s, 24))::text END"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Every IPv6 address has a colon; trimming an IPv4 address's trailing digits leaves
        # "10.1.2.", its first three octets.
        template = (
            "CASE WHEN instr(%(expressions)s, ':') = 0 "
            "THEN rtrim(%(expressions)s, '0123456789') || '0/24' END"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


def suspicious_votes(*, stage: Stage, burst: int = 20, limit: int = 200) -> dict:
    """Patterns worth a look in the vote ledger (刷票线索): at least `burst` votes from one
    IPv4 /24 range within one local minute, and one device voting with several phones.

    The database groups the ledger and returns only the suspicious groups, the `limit`
    largest of each kind; a second query fetches their vote ids (needed to void them), so
    the rest of the ledger, possibly hundreds of thousands of votes, is never loaded.
    `ip_bursts_total` and `shared_devices_total` count every suspicious group."""
    ledger = Vote.objects.filter(stage=stage, voided=False)

    by_minute = ledger.annotate(network=_Ipv4Network("ip"), minute=TruncMinute("cast_at"))
    burst_groups = (
        by_minute.filter(network__isnull=False)
        .values("network", "minute")
        .annotate(votes=Count("pk"))
        .filter(votes__gte=burst)
        .order_by("-votes", "network", "minute")
    )
    bursts = list(burst_groups[:limit])
    burst_ids: dict[tuple, list[int]] = {(b["network"], b["minute"]): [] for b in bursts}
    if bursts:
        # A range on cast_at (the stage/time index) per group, rather than TruncMinute in
        # the WHERE clause, which no index serves.
        in_groups = Q()
        for b in bursts:
            in_groups |= Q(
                network=b["network"],
                cast_at__gte=b["minute"],
                cast_at__lt=b["minute"] + datetime.timedelta(minutes=1),
            )
        for pk, network, minute in (
            by_minute.filter(in_groups).values_list("pk", "network", "minute").order_by("pk")
        ):
            burst_ids[(network, minute)].append(pk)

    device_groups = (
        ledger.exclude(device="")
        .values("device")
        .annotate(phones=Count("phone_digest", distinct=True), votes=Count("pk"))
        .filter(phones__gt=1)
        .order_by("-votes", "device")
    )
    devices = list(device_groups[:limit])
    device_ids: dict[str, list[int]] = {d["device"]: [] for d in devices}
    for device, pk in (
        ledger.filter(device__in=list(device_ids)).values_list("device", "pk").order_by("pk")
    ):
        device_ids[device].append(pk)

    return {
        "ip_bursts": [
            {
                "network": b["network"],
                # TruncMinute gives the minute in the current time zone (Asia/Shanghai).
                "minute": b["minute"].strftime("%Y-%m-%d %H:%M"),
                "votes": b["votes"],
                "vote_ids": burst_ids[(b["network"], b["minute"])],
            }
            for b in bursts
        ],
        "ip_bursts_total": len(bursts) if len(bursts) < limit else burst_groups.count(),
        "shared_devices": [
            {
                "device": d["device"][:8] + "…",
                "phones": d["phones"],
                "votes": d["votes"],
                "vote_ids": device_ids[d["device"]],
            }
            for d in devices
        ],
        "shared_devices_total": len(devices) if len(devices) < limit else device_groups.count(),
    }


@dataclass(frozen=True)
class VoteTarget:
    """What casting a vote needs to know about a contest, read once per process every few
    seconds instead of on each of thousands of votes a second."""

    stage: Stage
    entrant_ids: frozenset[int]


VOTE_TARGET_SECONDS = 2.0
VOTE_TARGETS_KEPT = 200  # contests with voting open at once, with room to spare
_vote_targets: dict[int, tuple[float, VoteTarget]] = {}


def vote_target(*, contest_id) -> VoteTarget | None:
    """The contest's public-vote stage (with its contest) and entrant ids; None when the
    contest has no public vote. Cached in this process for VOTE_TARGET_SECONDS: a closed
    contest stops taking votes everywhere within that time."""
    try:
        contest_id = int(contest_id)
    except (TypeError, ValueError):
        return None
    now = time.monotonic()
    cached = _vote_targets.get(contest_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    stage = (
        Stage.objects.filter(
            contest_id=contest_id, kind=StageKind.PUBLIC_VOTE, contest__is_template=False
        )
        .select_related("contest")
        .first()
        if 0 < contest_id <= MAX_ID
        else None
    )
    if stage is None:
        # Not remembered: ids that are not contests must not grow this process's memory.
        return None
    ids = frozenset(Entrant.objects.filter(contest_id=contest_id).values_list("pk", flat=True))
    target = VoteTarget(stage=stage, entrant_ids=ids)
    if len(_vote_targets) >= VOTE_TARGETS_KEPT:
        _vote_targets.clear()
    _vote_targets[contest_id] = (now + VOTE_TARGET_SECONDS, target)
    return target


def public_vote_target(*, contest_id) -> VoteTarget | None:
    """The vote target a member of the public may address: as `public_contest_get`, never a
    draft (nor a template, which `vote_target` already leaves out)."""
    target = vote_target(contest_id=contest_id)
    if target is None or target.stage.contest.status == ContestStatus.DRAFT:
        return None
    return target


def vote_target_forget(*, contest_id=None) -> None:
    """Drop the cached vote targets (one contest's, or all) after a change in this process."""
    if contest_id is None:
        _vote_targets.clear()
    else:
        _vote_targets.pop(int(contest_id), None)
