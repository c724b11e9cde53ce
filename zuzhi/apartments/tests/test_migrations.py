"""Allocations made before the application rule each get an application of their own."""

import datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zuzhi.apartments.models import Allocation
from zuzhi.testing.factories import OrganizationFactory, make_talent, valid_id_number

D = datetime.date


def test_every_earlier_allocation_gets_an_application_it_consumes(transactional_db):
    executor = MigrationExecutor(connection)
    state = executor.migrate([("apartments", "0002_allocation_cancelled")])
    old = state.apps.get_model
    county = OrganizationFactory(code="C", name="示范县委")
    talents = [
        make_talent(county, name=f"人才{n}", id_number=valid_id_number("19900101", n))
        for n in range(4)
    ]
    building = old("apartments", "Building").objects.create(county_id=county.pk, name="公寓")
    flats = [
        old("apartments", "Flat").objects.create(
            building=building, number=f"1-10{n}", floor=1, area=60
        )
        for n in range(4)
    ]
    shared = old("apartments", "ApartmentApplication").objects.create(
        county_id=county.pk, talent_id=talents[1].pk, applied_on=D(2025, 1, 1), status="approved"
    )
    allocation = old("apartments", "Allocation").objects.create
    rows = [
        allocation(flat=flats[0], talent_id=talents[0].pk, start=D(2025, 3, 1), end=D(2026, 3, 1)),
        allocation(
            flat=flats[1], talent_id=talents[1].pk, start=D(2025, 3, 1), end=D(2026, 3, 1),
            application=shared,
        ),
        allocation(
            flat=flats[2], talent_id=talents[2].pk, start=D(2025, 4, 1), end=D(2026, 4, 1),
            application=shared,
        ),
        allocation(
            flat=flats[3], talent_id=talents[3].pk, start=D(2025, 4, 1), end=D(2026, 4, 1),
            status="cancelled",
        ),
    ]  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    after = {a.pk: a for a in Allocation.objects.select_related("application")}
    first, second, third, cancelled = (after[r.pk] for r in rows)
    assert second.application_id == shared.pk and second.application.status == "allocated"
    for a in (first, third):
        assert a.application_id != shared.pk
        assert (a.application.status, a.application.talent_id) == ("allocated", a.talent_id)
        assert a.application.building_id == building.pk and "补录" in a.application.reason
    # A cancelled allocation's new application waits for a flat again.
    assert cancelled.application.status == "approved"
