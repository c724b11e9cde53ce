import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from zuzhi.apartments import services
from zuzhi.apartments.models import Building, Flat


@dataclass
class Apartments:
    building: Building
    flats: list[Flat]
    other_building: Building
    other_flat: Flat


START = datetime.date(2026, 9, 1)
END = datetime.date(2027, 8, 31)


@pytest.fixture
def apartments(talent_world) -> Apartments:
    """青年人才公寓 with ten flats (floors 1–2 × rooms 01–05) in the county, one flat in the
    other county; built by each county's talent office."""
    w = talent_world
    building = services.building_create(
        actor=w.office, county=w.county.county, name="青年人才公寓", address="示范大道 8 号"
    )
    flats = services.flats_bulk_create(
        actor=w.office,
        building=building,
        prefix="3-",
        first_floor=1,
        last_floor=2,
        first_room=1,
        last_room=5,
        area=Decimal("62.50"),
        layout="两室一厅",
    )
    other = services.building_create(actor=w.other_office, county=w.other_county, name="专家公寓")
    other_flat = services.flat_create(
        actor=w.other_office, building=other, number="1-101", floor=1, area=Decimal("90")
    )
    return Apartments(building, flats, other, other_flat)


def approved_application(w, talent=None, **wish):
    """An application of `talent` (the county's 周青 by default) approved by its county's
    office: what a flat is allocated from."""
    talent = talent or w.talent
    office = w.office if talent.county_id == w.county.county.pk else w.other_office
    application = services.application_create(
        actor=office, talent=talent, applied_on=datetime.date(2026, 8, 1), **wish
    )
    return services.application_decide(actor=office, application=application, approve=True)
