"""Vacancy and occupancy at a glance: the states, the counts and the 30-day reminder."""

import datetime

from zuzhi.apartments import selectors, services
from zuzhi.apartments.rules import FlatState
from zuzhi.testing.factories import make_talent, valid_id_number

from .conftest import approved_application

TODAY = datetime.date(2026, 11, 23)


def _talent(w, n):
    return make_talent(w.county.county, name=f"住户{n}", id_number=valid_id_number("19940101", n))


def _allocate(w, flat, talent, end):
    return services.allocation_create(
        actor=w.office,
        flat=flat,
        application=approved_application(w, talent),
        start=datetime.date(2026, 1, 1),
        end=end,
    )


def test_an_agreement_is_ending_on_the_thirtieth_day_and_not_the_thirty_first(
    talent_world, apartments
):
    w = talent_world
    on_the_day = _allocate(w, apartments.flats[0], _talent(w, 1), TODAY + datetime.timedelta(30))
    _allocate(w, apartments.flats[1], _talent(w, 2), TODAY + datetime.timedelta(31))
    assert list(selectors.ending_soon(user=w.office, today=TODAY)) == [on_the_day]
    states = {
        f.number: f.state
        for f in selectors.with_state(selectors.flats(user=w.office, today=TODAY), today=TODAY)
    }
    assert states["3-101"] == FlatState.ENDING and states["3-102"] == FlatState.OCCUPIED
    ending = selectors.flats(user=w.office, today=TODAY, state="ending")
    assert [f.number for f in ending] == ["3-101"]


def test_counts_per_building_add_up(talent_world, apartments):
    w = talent_world
    a = _allocate(w, apartments.flats[0], _talent(w, 3), datetime.date(2027, 6, 30))
    services.allocation_check_in(
        actor=w.office, allocation=a, checked_in_on=datetime.date(2026, 1, 2), keys_handed=1
    )
    services.allocation_return(
        actor=w.office, allocation=a, returned_on=datetime.date(2026, 5, 1), keys_returned=1
    )
    _allocate(w, apartments.flats[1], _talent(w, 4), datetime.date(2027, 6, 30))
    services.flat_set_status(actor=w.office, flat=apartments.flats[2], status="maintenance")
    [b] = selectors.buildings(user=w.office, today=TODAY)
    assert (b.total, b.occupied, b.inspecting, b.maintenance, b.vacant) == (10, 1, 1, 1, 7)
    assert b.rate == 10.0


def test_the_other_county_office_and_the_talent_see_only_their_own(talent_world, apartments):
    w = talent_world
    own = _allocate(w, apartments.flats[0], w.talent, datetime.date(2027, 6, 30))
    _allocate(w, apartments.flats[1], _talent(w, 5), datetime.date(2027, 6, 30))
    assert [b.name for b in selectors.buildings(user=w.other_office, today=TODAY)] == ["专家公寓"]
    assert not selectors.allocations(user=w.other_office).exists()
    assert list(selectors.my_allocations(user=w.talent_user)) == [own]
    assert not selectors.buildings(user=w.county_staff, today=TODAY)
    assert not selectors.allocations(user=w.township).exists()
