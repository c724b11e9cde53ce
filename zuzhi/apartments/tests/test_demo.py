"""The demo's talent apartments, seeded through the services on a few talents, run once."""

import datetime
import random
from types import SimpleNamespace

from zuzhi.apartments import selectors
from zuzhi.apartments.models import Allocation, AllocationRenewal, ApartmentApplication, Flat
from zuzhi.apartments.rules import FlatState
from zuzhi.core.scope import SYSTEM
from zuzhi.demo.apartments import seed_apartments
from zuzhi.demo.seeding import TODAY
from zuzhi.talent.models import Degree
from zuzhi.testing.factories import make_talent, valid_id_number


def test_the_demo_houses_its_talents_in_260_flats(county):
    node = county.county
    for n in range(240):
        young = n < 90
        make_talent(
            node,
            name=f"人才{n}",
            id_number=valid_id_number("19900101", n),
            degree=Degree.MASTER if young else Degree.OTHER,
            arrived_on=datetime.date(2024, 7, 1) if young else datetime.date(2015, 3, 1),
            status="left" if n in (5, 6) else "in_county",
        )
    demo = SimpleNamespace(county=node)
    added = seed_apartments(demo=demo, rng=random.Random(11))
    assert Flat.objects.count() == 260 and added > 260
    buildings = {b.name: b for b in selectors.buildings(user=SYSTEM, today=TODAY)}
    assert set(buildings) == {"专家人才公寓", "青年人才公寓"}
    occupied = sum(b.occupied for b in buildings.values())
    assert 0.75 <= occupied / 260 <= 0.82
    assert buildings["专家人才公寓"].total == 60
    assert not Allocation.objects.filter(talent__status="left").exists()
    assert 5 <= selectors.ending_soon(user=SYSTEM, today=TODAY).count() <= 12
    assert AllocationRenewal.objects.exists()
    closed = Allocation.objects.filter(status="closed")
    assert closed.count() == 2 and closed.filter(condition="damaged").count() == 1
    states = [
        f.state
        for f in selectors.with_state(selectors.flats(user=SYSTEM, today=TODAY), today=TODAY)
    ]
    assert states.count(FlatState.INSPECTING) == 1 and states.count(FlatState.MAINTENANCE) == 4
    assert ApartmentApplication.objects.filter(status="pending").count() == 3
    # Every allocation is made from its own approved application, which it consumed.
    live = Allocation.objects.exclude(status="cancelled")
    assert not live.filter(application__talent_id__isnull=True).exists()
    assert live.filter(application__status="allocated").count() == live.count()
    assert live.values("application").distinct().count() == live.count()
    assert ApartmentApplication.objects.filter(status="approved").count() == 1
    assert seed_apartments(demo=demo, rng=random.Random(11)) == 0
