"""Talent apartments in the demo county (人才公寓), through the services as the talent office
would run them: 专家人才公寓 (60 flats, floors 1–6 × rooms 01–10) and 青年人才公寓 (200 flats,
floors 1–10 × rooms 01–20), about 80 % occupied on TODAY (young graduates in the young
talents' building first), some agreements renewed, about ten ending within 30 days, a few
flats given but not yet moved into, three under maintenance, two returned and inspected (one
of them sent to repair), one returned and waiting for its inspection, and a handful of
applications: pending, approved, rejected."""

import datetime
import random
from decimal import Decimal

from zuzhi.apartments import services
from zuzhi.apartments.models import Building, Flat, FlatStatus
from zuzhi.apartments.rules import add_years
from zuzhi.core.scope import SYSTEM
from zuzhi.talent.models import Degree, Talent, TalentStatus

from .seeding import TODAY

DAY = datetime.timedelta(days=1)
OCCUPANCY = 0.8
YOUNG_SINCE = datetime.date(2023, 7, 1)
REASONS = [
    "新引进来县工作，暂无住房。",
    "家属随迁来县，申请两室户型。",
    "博士后进站，申请专家公寓。",
]


def _buildings(demo) -> tuple[Building, Building]:
    expert = services.building_create(
        actor=SYSTEM, county=demo.county, name="专家人才公寓", address="产业集聚区人才社区 1 号楼"
    )
    young = services.building_create(
        actor=SYSTEM, county=demo.county, name="青年人才公寓", address="产业集聚区人才社区 2 号楼"
    )
    batches = [
        (expert, "1-", 1, 6, 1, 10, Decimal("118.50"), "三室两厅"),
        (young, "2-", 1, 5, 1, 20, Decimal("65.00"), "两室一厅"),
        (young, "2-", 6, 10, 1, 20, Decimal("45.00"), "一室一厅"),
    ]
    for building, prefix, f1, f2, r1, r2, area, layout in batches:
        services.flats_bulk_create(
            actor=SYSTEM,
            building=building,
            prefix=prefix,
            first_floor=f1,
            last_floor=f2,
            first_room=r1,
            last_room=r2,
            area=area,
            layout=layout,
        )
    return expert, young


def _is_young(t: Talent) -> bool:
    return (
        t.degree in (Degree.DOCTOR, Degree.MASTER, Degree.BACHELOR)
        and t.arrived_on is not None
        and t.arrived_on >= YOUNG_SINCE
    )


def _start(t: Talent, rng: random.Random) -> datetime.date:
    """Moved in some weeks after arriving, or sometime in the last three years."""
    if t.arrived_on and t.arrived_on > TODAY - datetime.timedelta(days=3 * 365):
        day = t.arrived_on + DAY * rng.randint(3, 40)
    else:
        day = TODAY - DAY * rng.randint(60, 3 * 365)
    return min(day, TODAY - DAY * 5)


def seed_apartments(*, demo, rng: random.Random) -> int:
    """Returns how many flats, allocations, renewals and applications were added (none when
    the county's buildings exist). Every allocation is made from its talent's approved
    application, as the office makes them."""
    if Building.objects.filter(county=demo.county).exists():
        return 0
    expert, young = _buildings(demo)
    flats = {
        b.pk: list(Flat.objects.filter(building=b).order_by("floor", "number"))
        for b in (expert, young)
    }
    added = sum(len(f) for f in flats.values())

    talents = list(
        Talent.objects.filter(county=demo.county, status=TalentStatus.IN_COUNTY).order_by("pk")
    )
    young_talents = [t for t in talents if _is_young(t)]
    others = [t for t in talents if not _is_young(t)]
    rng.shuffle(others)
    # Three flats of the young building are under repair: they are neither given nor vacant.
    repair = rng.sample(flats[young.pk], 3)
    for flat in repair:
        services.flat_set_status(
            actor=SYSTEM, flat=flat, status=FlatStatus.MAINTENANCE, note="卫生间防水维修"
        )
    free = {b: [f for f in flats[b] if f not in repair] for b in flats}
    for pool in free.values():
        rng.shuffle(pool)

    # Who lives where: graduates in the young building, the others in the experts' first and
    # then wherever is left, up to the occupancy.
    wanted = round(OCCUPANCY * added)
    plan: list[tuple[Flat, Talent]] = []
    queue_young = young_talents + others[len(flats[expert.pk]) :]
    queue_expert = others[: len(flats[expert.pk])]
    for building, queue in ((young.pk, queue_young), (expert.pk, queue_expert)):
        for talent in queue:
            if len(plan) >= wanted or not free[building]:
                break
            plan.append((free[building].pop(), talent))

    ending_soon = set(rng.sample(range(len(plan)), min(10, len(plan))))
    not_moved_in = set(
        rng.sample(sorted(set(range(len(plan))) - ending_soon), min(4, len(plan) // 10))
    )
    housed = []
    for i, (flat, talent) in enumerate(plan):
        start = _start(talent, rng)
        if i in not_moved_in:
            start = TODAY - datetime.timedelta(days=rng.randint(1, 10))
        one_year = add_years(start, 1) - datetime.timedelta(days=1)
        three_years = max(add_years(start, 3) - datetime.timedelta(days=1), TODAY + DAY * 45)
        soon = TODAY + DAY * rng.randint(1, 30)
        # A one-year agreement that has run out was renewed a month before its end (half of
        # them); the others were signed for three years at once.
        renewed = one_year <= TODAY and rng.random() < 0.5
        if renewed:
            end = one_year
        elif i in ending_soon:
            end = soon
        else:
            end = one_year if one_year > TODAY + DAY * 30 else three_years
        rent_free = flat.building_id == expert.pk or rng.random() < 0.7
        application = _approved(talent, flat, applied_on=start - DAY * rng.randint(7, 30))
        allocation = services.allocation_create(
            actor=SYSTEM,
            flat=flat,
            application=application,
            start=start,
            end=end,
            rent_free=rent_free,
            rent_fen=0 if rent_free else rng.choice([30000, 45000, 60000]),
            deposit_fen=None if rent_free else 100000,
        )
        added += 2  # the application and its allocation
        if i in not_moved_in:
            continue
        allocation = services.allocation_check_in(
            actor=SYSTEM,
            allocation=allocation,
            checked_in_on=start + DAY * rng.randint(0, 4),
            keys_handed=2,
        )
        if renewed:
            services.allocation_renew(
                actor=SYSTEM,
                allocation=allocation,
                new_end=soon if i in ending_soon else three_years,
                renewed_on=one_year - DAY * 30,
                note="按期续签",
            )
            added += 1
            allocation.refresh_from_db()
        housed.append(allocation)

    _returns([a for a in housed if a.end > TODAY + DAY * 30], rng=rng)
    added += _applications(demo, young, rng)
    return added


def _approved(talent: Talent, flat: Flat, *, applied_on: datetime.date):
    """The application a flat is allocated from: for the building it went to, approved."""
    application = services.application_create(
        actor=SYSTEM,
        talent=talent,
        building=flat.building,
        layout=flat.layout,
        reason="来县工作，申请入住人才公寓。",
        applied_on=applied_on,
    )
    return services.application_decide(actor=SYSTEM, application=application, approve=True)


def _returns(housed, *, rng) -> None:
    """Two returned and inspected (one with damage, its flat sent to repair), one returned on
    Friday and waiting for the inspection."""
    leaving = [a for a in housed if a.checked_in_on < TODAY - DAY * 90]
    picked = rng.sample(leaving, min(3, len(leaving)))
    for n, allocation in enumerate(picked):
        returned_on = TODAY - DAY * [40, 25, 3][n]
        services.allocation_return(
            actor=SYSTEM,
            allocation=allocation,
            returned_on=returned_on,
            keys_returned=2 if n else 1,
        )
        if n == 2:
            continue
        services.allocation_inspect(
            actor=SYSTEM,
            allocation=allocation,
            inspected_on=returned_on + DAY * 2,
            condition=["damaged", "good"][n],
            damages="少交回钥匙 1 把，门锁需更换；墙面有污损" if n == 0 else "",
            deduction_fen=20000 if n == 0 and allocation.deposit_fen else 0,
            note="换锁后再分配" if n == 0 else "房屋完好",
            needs_repair=n == 0,
        )


def _applications(demo, young, rng) -> int:
    """Waiting graduates: three pending, one approved waiting for a flat, one rejected."""
    waiting = list(
        Talent.objects.filter(county=demo.county, status=TalentStatus.IN_COUNTY)
        .exclude(apartment_applications__isnull=False)
        .order_by("-arrived_on", "pk")[:5]
    )
    for n, talent in enumerate(waiting):
        application = services.application_create(
            actor=SYSTEM,
            talent=talent,
            building=young if n % 2 == 0 else None,
            layout=["两室一厅", "一室一厅"][n % 2],
            reason=rng.choice(REASONS),
            applied_on=TODAY - datetime.timedelta(days=rng.randint(1, 20)),
        )
        if n == 3:
            services.application_decide(actor=SYSTEM, application=application, approve=True)
        elif n == 4:
            services.application_decide(
                actor=SYSTEM,
                application=application,
                approve=False,
                reason="已在县城购房，不符合入住条件",
            )
    return len(waiting)
