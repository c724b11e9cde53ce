"""Talent apartments on a 375 px phone: a building's grid of 60 flats and the lists fit the
screen, each flat is a 44 px tap target, and nothing breaks the CSP."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from zuzhi.apartments import services
from zuzhi.core.scope import SYSTEM

from .test_csp import WATCH
from .test_phone_layout import _overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def expert_building(talent_world):
    w = talent_world
    building = services.building_create(
        actor=SYSTEM, county=w.county.county, name="专家人才公寓（产业集聚区人才社区 1 号楼）"
    )
    flats = services.flats_bulk_create(
        actor=SYSTEM,
        building=building,
        prefix="1-",
        first_floor=1,
        last_floor=6,
        first_room=1,
        last_room=10,
        area=Decimal("118.50"),
        layout="三室两厅",
    )
    application = services.application_create(
        actor=SYSTEM, talent=w.talent, applied_on=datetime.date.today() - datetime.timedelta(300)
    )
    services.application_decide(actor=SYSTEM, application=application, approve=True)
    allocation = services.allocation_create(
        actor=SYSTEM,
        flat=flats[0],
        application=application,
        start=datetime.date.today() - datetime.timedelta(days=300),
        end=datetime.date.today() + datetime.timedelta(days=20),
    )
    return building, allocation


def test_the_building_grid_and_lists_fit_a_phone(
    talent_world, expert_building, phone_page, live_server, login
):
    building, allocation = expert_building
    phone_page.add_init_script(WATCH)
    login(phone_page, "rcb")
    phone_page.goto(f"{live_server.url}{reverse('apartments:building', args=[building.pk])}")
    tiles = phone_page.locator("a.apt-flat")
    assert tiles.count() == 60
    for tile in tiles.all():
        box = tile.bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= 375, box
    assert phone_page.locator("a.apt-ending").count() == 1
    assert _overflow(phone_page) == []
    for name, args in (
        ("apartments:home", []),
        ("apartments:flats", []),
        ("apartments:allocations", []),
        ("apartments:allocation", [allocation.pk]),
    ):
        phone_page.goto(f"{live_server.url}{reverse(name, args=args)}")
        assert _overflow(phone_page) == [], name
    for button in phone_page.locator("main .btn").all():
        if button.is_visible():
            assert button.bounding_box()["height"] >= 44
    assert phone_page.evaluate("window.__csp") == []
