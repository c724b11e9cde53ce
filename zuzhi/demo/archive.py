"""The performance archive in the demo county (#14), through the archive's services: a year of
entries for most cadres (reviewed in their quarter; some cadres still without a reviewed entry
this quarter, so the home page reminds), the ranking entries a published contest offers, one
correction, a supervision file with one excused and one cleared record (one open discipline
record's fault accepted, the others left offered), and a watch list (the accepted
self-nomination among it)."""

import datetime
import random

from django.utils import timezone

from zuzhi.archive import offers, selectors, services
from zuzhi.archive.models import ArchiveEntry, EntryKind, WatchEntry
from zuzhi.cadres.models import Cadre, NominationStatus, SelfNomination
from zuzhi.contests.models import Contest, ContestStatus
from zuzhi.core.scope import SYSTEM

from .seeding import TODAY

TEXTS = {
    EntryKind.ACHIEVEMENT: [
        ("经济发展", "牵头引进农产品加工项目 1 个，总投资 3200 万元"),
        ("乡村振兴", "推动建成高标准农田 8000 亩"),
        ("基层治理", "化解信访积案 6 件，实现季度零越级上访"),
        ("项目建设", "按期完成村组道路硬化 12 公里"),
        ("党的建设", "指导 3 个软弱涣散村党组织完成整顿"),
    ],
    EntryKind.KEY_TASK: [
        ("防汛救灾", "汛期连续值守 21 天，组织转移群众 340 人"),
        ("人居环境", "负责人居环境整治百日攻坚，辖区验收合格"),
        ("安全生产", "带队开展安全生产大排查，整改隐患 45 处"),
    ],
    EntryKind.HONOUR: [
        ("表彰", "获评市级优秀共产党员"),
        ("表彰", "所在单位获评县级先进基层党组织"),
    ],
    EntryKind.FAULT: [
        ("作风", "重点工作调度会无故缺席一次，已作检讨"),
        ("工作落实", "民生实事进度滞后，被县督查通报"),
    ],
}
WEIGHTS = {
    EntryKind.ACHIEVEMENT: 6,
    EntryKind.KEY_TASK: 3,
    EntryKind.HONOUR: 1,
    EntryKind.FAULT: 1,
}
# Quarters of the year before TODAY, oldest first: (first day, last day).
QUARTERS = [
    selectors.quarter_bounds(datetime.date(2025, 12, 1)),
    selectors.quarter_bounds(datetime.date(2026, 3, 1)),
    selectors.quarter_bounds(datetime.date(2026, 6, 1)),
    selectors.quarter_bounds(datetime.date(2026, 9, 1)),
    selectors.quarter_bounds(TODAY),
]


def _review_stamps(reviews: dict[datetime.date, list[ArchiveEntry]]) -> None:
    """The demo's past reviews fall in their own quarter: the review service stamps "now", so
    the seeder sets the once-only stamp itself, through the ledger's one permitted write."""
    for day, entries in reviews.items():
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(16, 30)))
        ArchiveEntry.objects.filter(pk__in=[e.pk for e in entries]).stamp_reviewed(by=None, at=at)


def seed_archive(*, demo, rng: random.Random) -> int:
    """Create the demo archive once; a rerun finds it and does nothing. Returns the number
    of entries."""
    if ArchiveEntry.objects.exists():
        return 0
    cadres = list(Cadre.objects.filter(is_active=True).select_related("organization"))
    today = min(TODAY, timezone.localdate())
    kinds = list(WEIGHTS)
    rows, review_days = [], []
    for cadre in cadres:
        for index, (start, end) in enumerate(QUARTERS):
            current = index == len(QUARTERS) - 1
            if rng.random() > (0.75 if current else 0.6):
                continue
            last = min(end, today)
            day = start + datetime.timedelta(days=rng.randint(0, (last - start).days))
            kind = rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
            category, text = rng.choice(TEXTS[kind])
            rows.append(
                {"cadre": cadre, "date": day, "kind": kind, "category": category, "text": text}
            )
            # Past quarters were reviewed; this quarter's entries partly wait for review.
            reviewed = not current or rng.random() < 0.6
            review_days.append(
                min(day + datetime.timedelta(days=rng.randint(1, 20)), last) if reviewed else None
            )
    entries = services.entry_record_many(actor=SYSTEM, rows=rows)
    reviews: dict[datetime.date, list[ArchiveEntry]] = {}
    for entry, day in zip(entries, review_days, strict=True):
        if day is not None:
            reviews.setdefault(day, []).append(entry)
    _review_stamps(reviews)
    created = len(entries) + _seed_offers()
    _seed_correction(rng)
    _seed_supervision(cadres, rng)
    created += _seed_discipline_offer()
    _seed_watch(cadres, rng)
    return created


def _seed_offers() -> int:
    """Accept the ranking entries the published contests offer (bottom places and top)."""
    accepted = 0
    for contest in Contest.objects.filter(status=ContestStatus.PUBLISHED, is_template=False):
        for offer in offers.archive_offers_for_contest(contest=contest):
            services.archive_offer_accept(
                actor=SYSTEM,
                cadre=offer.cadre,
                source_type=offer.source_type,
                source_id=offer.source_id,
            )
            accepted += 1
    return accepted


def _seed_discipline_offer() -> int:
    """Accept the fault the first open discipline record offers; the others wait on the
    quarter page (建议记入档案)."""
    first = next(iter(offers.discipline_offers()), None)
    if first is None:
        return 0
    services.archive_offer_accept(
        actor=SYSTEM, cadre=first.cadre, source_type=first.source_type, source_id=first.source_id
    )
    return 1


def _seed_correction(rng: random.Random) -> None:
    entry = ArchiveEntry.objects.filter(kind=EntryKind.ACHIEVEMENT).order_by("pk").first()
    if entry is not None:
        services.entry_reverse(
            actor=SYSTEM, entry=entry, reason="经核实，该项目由县直部门牵头，误记在本人名下。"
        )


def _seed_supervision(cadres: list[Cadre], rng: random.Random) -> None:
    people = rng.sample(cadres, min(5, len(cadres)))
    rows = [
        ("performance_view", "县委巡察反馈", "在村部门口建设景观广场，群众反映属形象工程"),
        ("admonishment", "县纪委监委", "因履行职责不力被诫勉谈话"),
        ("negative_list", "群众来信", "反映在征地补偿中优亲厚友"),
        ("party_discipline", "县纪委监委", "违反中央八项规定精神，给予党内警告处分"),
        ("organizational", "县委组织部", "因年度目标任务未完成被责令作出书面检查"),
    ]
    records = []
    for cadre, (kind, source, text) in zip(people, rows, strict=False):
        day = TODAY - datetime.timedelta(days=rng.randint(30, 300))
        records.append(
            services.supervision_record(
                actor=SYSTEM, cadre=cadre, kind=kind, date=day, source=source, text=text
            )
        )
    if len(records) >= 3:
        services.supervision_decide(
            actor=SYSTEM,
            record=records[0],
            status="excused",
            reason="属推动乡村振兴中的探索性失误，符合县容错纠错办法第五条，予以容错免责。",
            decided_on=TODAY - datetime.timedelta(days=10),
        )
        services.supervision_decide(
            actor=SYSTEM,
            record=records[2],
            status="cleared",
            reason="经县纪委调查，反映问题不属实，予以澄清正名。",
            decided_on=TODAY - datetime.timedelta(days=20),
        )


def _seed_watch(cadres: list[Cadre], rng: random.Random) -> None:
    for nomination in SelfNomination.objects.filter(status=NominationStatus.ACCEPTED):
        services.watch_add_from_nomination(actor=SYSTEM, nomination=nomination)
    on_list = set(
        WatchEntry.objects.filter(removed_at__isnull=True).values_list("cadre_id", flat=True)
    )
    notes = [
        ("achievement", "所在乡镇季度综合指数全市第一"),
        ("achievement", "牵头招商项目实现重大突破"),
        ("priority_reserve", "优秀年轻干部，优先储备"),
        ("priority_reserve", "熟悉经济工作，优先储备"),
    ]
    for cadre, (reason, note) in zip(
        [c for c in rng.sample(cadres, min(8, len(cadres))) if c.pk not in on_list],
        notes,
        strict=False,
    ):
        services.watch_add(actor=SYSTEM, cadre=cadre, reason_kind=reason, note=note)
