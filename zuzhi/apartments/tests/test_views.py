"""The apartment pages as the talent office, a talent and the roles that see nothing use them."""

import datetime
import io

import openpyxl
import pytest
from django.test import override_settings

from zuzhi.apartments import services
from zuzhi.apartments.models import Allocation, AllocationStatus, ApartmentApplication
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.testing.factories import make_talent, valid_id_number

from .conftest import END, START, approved_application


def _allocate(w, flat, talent=None, **terms):
    return services.allocation_create(
        actor=w.office,
        flat=flat,
        application=approved_application(w, talent),
        start=START,
        end=END,
        **terms,
    )


def _denials():
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def test_the_building_grid_colours_flats_by_state(talent_world, apartments, client):
    w = talent_world
    _allocate(w, apartments.flats[0])
    ending = make_talent(w.county.county, name="将到期", id_number=valid_id_number("19950101", 801))
    services.allocation_create(
        actor=w.office,
        flat=apartments.flats[1],
        application=approved_application(w, ending),
        start=datetime.date(2025, 12, 1),
        end=datetime.date.today() + datetime.timedelta(days=10),
    )
    services.flat_set_status(actor=w.office, flat=apartments.flats[2], status="maintenance")
    client.force_login(w.office)
    page = client.get(f"/apartments/buildings/{apartments.building.pk}/").content.decode()
    assert 'class="apt-flat apt-occupied"' in page and "周青" in page
    assert 'class="apt-flat apt-ending"' in page
    assert 'class="apt-flat apt-maintenance"' in page
    assert page.count('class="apt-flat apt-vacant"') == 7
    assert "入住率<b>20.0%</b>" in page
    home = client.get("/apartments/").content.decode()
    assert "将到期" in home and "青年人才公寓" in home


def test_the_office_allocates_in_yuan_and_the_flat_stores_fen(talent_world, apartments, client):
    w = talent_world
    client.force_login(w.office)
    flat = apartments.flats[0]
    application = approved_application(w)
    r = client.post(
        f"/apartments/flats/{flat.pk}/allocate/",
        {
            "application": application.pk,
            "start": "2026-09-01",
            "end": "2027-08-31",
            "rent_fen": "650.50",
            "deposit_fen": "1000",
        },
    )
    a = Allocation.objects.get()
    assert r.status_code == 302 and (a.rent_free, a.rent_fen, a.deposit_fen) == (
        False,
        65050,
        100000,
    )
    page = client.get(f"/apartments/allocations/{a.pk}/").content.decode()
    assert "每月 650.50 元" in page and "1000.00 元" in page


def test_a_refused_allocation_shows_the_chinese_reason_on_the_form(
    talent_world, apartments, client
):
    w = talent_world
    _allocate(w, apartments.flats[0])
    other = make_talent(w.county.county, name="第二人", id_number=valid_id_number("19950101", 802))
    other = approved_application(w, other)
    client.force_login(w.office)
    r = client.post(
        f"/apartments/flats/{apartments.flats[0].pk}/allocate/",
        {"application": other.pk, "start": "2026-09-01", "end": "2026-08-31", "rent_free": "on"},
    )
    assert "协议到期日须晚于起始日" in r.content.decode()
    r = client.post(
        f"/apartments/flats/{apartments.flats[0].pk}/allocate/",
        {"application": other.pk, "start": "2026-09-01", "end": "2027-08-31", "rent_free": "on"},
    )
    assert "不能重复分配" in r.content.decode()
    r = client.post(
        f"/apartments/flats/{apartments.flats[1].pk}/allocate/",
        {"application": other.pk, "start": "2026-09-01", "end": "2027-08-31", "rent_fen": "12.345"},
    )
    assert "最多两位小数" in r.content.decode()
    assert Allocation.objects.count() == 1


def test_the_cycle_on_the_pages_one_url_per_step(talent_world, apartments, client):
    w = talent_world
    a = _allocate(w, apartments.flats[0], rent_free=True, deposit_fen=50000)
    client.force_login(w.office)
    base = f"/apartments/allocations/{a.pk}"
    client.post(f"{base}/check-in/", {"checked_in_on": "2026-09-02", "keys_handed": "2"})
    client.post(f"{base}/renew/", {"new_end": "2028-08-31"})
    client.post(f"{base}/return/", {"returned_on": "2026-11-20", "keys_returned": "1"})
    r = client.post(
        f"{base}/inspect/",
        {
            "inspected_on": "2026-11-23",
            "condition": "damaged",
            "damages": "门锁损坏",
            "deduction_fen": "120",
        },
    )
    a.refresh_from_db()
    assert (a.status, a.deduction_fen, a.end) == (
        AllocationStatus.CLOSED,
        12000,
        datetime.date(2028, 8, 31),
    )
    page = client.get(r["Location"]).content.decode()
    assert "续签记录" in page and "扣款 120.00 元" in page
    back = AuditLog.objects.get(target_type="apartments.allocation", message__startswith="办理退房")
    assert "少于交付的 2 把" in back.message


def test_a_step_out_of_order_is_refused_with_its_rule(talent_world, apartments, client):
    w = talent_world
    a = _allocate(w, apartments.flats[0])
    client.force_login(w.office)
    r = client.post(
        f"/apartments/allocations/{a.pk}/inspect/",
        {"inspected_on": "2026-10-01", "condition": "good"},
        follow=True,
    )
    assert "不能办理此项手续" in r.content.decode()
    a.refresh_from_db()
    assert a.status == AllocationStatus.ALLOCATED


def test_lists_search_and_paginate(talent_world, apartments, client):
    w = talent_world
    _allocate(w, apartments.flats[0])
    client.force_login(w.office)
    flats = client.get("/apartments/flats/", {"q": "3-2"}).content.decode()
    assert "3-201" in flats and "3-101" not in flats
    vacant = client.get("/apartments/flats/", {"state": "vacant"}).content.decode()
    assert "3-101" not in vacant and "3-102" in vacant
    found = client.get("/apartments/allocations/", {"q": "周青"}).content.decode()
    assert "3-101" in found
    assert "3-101" not in client.get("/apartments/allocations/", {"q": "无此人"}).content.decode()
    history = client.get("/apartments/allocations/", {"talent": w.talent.pk}).content.decode()
    assert "周青" in history and "3-101" in history


def test_applications_are_registered_and_decided_on_the_page(talent_world, apartments, client):
    w = talent_world
    client.force_login(w.office)
    client.post(
        "/apartments/applications/new/",
        {"talent": w.talent.pk, "building": apartments.building.pk, "applied_on": "2026-11-01"},
    )
    application = ApartmentApplication.objects.get()
    r = client.post(
        f"/apartments/applications/{application.pk}/reject/", {"reason": ""}, follow=True
    )
    assert "不同意时须填写理由" in r.content.decode()
    client.post(f"/apartments/applications/{application.pk}/reject/", {"reason": "房源已满"})
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == ("rejected", "房源已满")


def _export_rows(client):
    r = client.get("/apartments/allocations/export/")
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_occupancy_export_shows_phones_to_the_office_and_audits_it(
    talent_world, apartments, client
):
    w = talent_world
    _allocate(w, apartments.flats[0], rent_free=False, rent_fen=80000)
    client.force_login(w.office)
    rows = _export_rows(client)
    assert len(rows) == 11
    [occupied] = [r for r in rows if r[1] == "3-101"]
    assert occupied[6] == "周青" and occupied[8] == "13712345678" and occupied[12] == "800.00"
    assert AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).count() == 1
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == 1


@override_settings(ZUZHI_UNMASKED_ROLES=["county_staff"])
def test_the_occupancy_export_masks_phones_when_the_role_may_not_see_them(
    talent_world, apartments, client
):
    w = talent_world
    _allocate(w, apartments.flats[0])
    client.force_login(w.office)
    [occupied] = [r for r in _export_rows(client) if r[1] == "3-101"]
    assert occupied[8] != "13712345678" and "*" in occupied[8]
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()


def test_a_talent_sees_their_own_flat_and_nothing_else(talent_world, apartments, client):
    w = talent_world
    own = _allocate(w, apartments.flats[0], rent_free=False, rent_fen=30000)
    other = make_talent(w.county.county, name="邻居", id_number=valid_id_number("19950101", 803))
    theirs = _allocate(w, apartments.flats[1], talent=other)
    client.force_login(w.talent_user)
    assert client.get("/apartments/")["Location"] == "/apartments/mine/"
    mine = client.get("/apartments/mine/").content.decode()
    assert (
        "3-101" in mine and "每月 300.00 元" in mine and "邻居" not in mine and "3-102" not in mine
    )
    denials = _denials()
    for url in (
        f"/apartments/allocations/{own.pk}/",
        f"/apartments/allocations/{theirs.pk}/",
        "/apartments/flats/",
        f"/apartments/buildings/{apartments.building.pk}/",
        "/apartments/allocations/export/",
    ):
        assert client.get(url).status_code == 404, url
    assert _denials() == denials + 5


@pytest.mark.parametrize("who", ["county_staff", "township", "other_office"])
def test_other_roles_get_the_logged_404(talent_world, apartments, client, who):
    w = talent_world
    a = _allocate(w, apartments.flats[0])
    client.force_login(getattr(w, who))
    denials = _denials()
    assert client.get(f"/apartments/flats/{apartments.flats[0].pk}/").status_code == 404
    assert client.get(f"/apartments/allocations/{a.pk}/").status_code == 404
    r = client.post(
        f"/apartments/allocations/{a.pk}/check-in/",
        {"checked_in_on": "2026-09-01", "keys_handed": "1"},
    )
    assert r.status_code == 404
    assert _denials() == denials + 3
    a.refresh_from_db()
    assert a.status == AllocationStatus.ALLOCATED
    if who != "other_office":
        assert client.get("/apartments/").status_code == 404
    else:
        assert "青年人才公寓" not in client.get("/apartments/").content.decode()
        assert "周青" not in client.get("/apartments/allocations/").content.decode()


def test_a_talent_without_a_flat_sees_an_empty_page_of_their_own(talent_world, client):
    client.force_login(talent_world.talent_user)
    assert "您目前没有人才公寓" in client.get("/apartments/mine/").content.decode()


def test_date_fields_come_filled_in_with_iso_dates(talent_world, apartments, client):
    """A date input shows its preset only as 2026-11-23; "2026/11/23" would leave it empty."""
    import re

    client.force_login(talent_world.office)
    page = client.get(f"/apartments/flats/{apartments.flats[0].pk}/allocate/").content.decode()
    values = re.findall(r'<input type="date" name="(\w+)" value="([^"]*)"', page)
    assert [name for name, _ in values] == ["start", "end"]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) for _, value in values), values


def test_the_allocation_form_offers_only_approved_applications(talent_world, apartments, client):
    w = talent_world
    waiting = make_talent(
        w.county.county, name="王新来", id_number=valid_id_number("19950101", 804)
    )
    approved = approved_application(w, waiting)
    pending = services.application_create(actor=w.office, talent=w.talent, applied_on=START)
    client.force_login(w.office)
    url = f"/apartments/flats/{apartments.flats[0].pk}/allocate/"
    page = client.get(url).content.decode()
    assert f'value="{approved.pk}"' in page and "王新来（" in page
    assert f'value="{pending.pk}"' not in page
    terms = {"start": "2026-09-01", "end": "2027-08-31", "rent_free": "on"}
    r = client.post(url, {"application": pending.pk, **terms})
    assert r.status_code == 200 and not Allocation.objects.exists()
    r = client.post(url, {"application": approved.pk, **terms})
    allocation = Allocation.objects.get()
    assert r.status_code == 302 and allocation.talent == waiting
    approved.refresh_from_db()
    assert approved.status == "allocated"
    # Consumed: no longer offered for the next flat.
    page = client.get(f"/apartments/flats/{apartments.flats[1].pk}/allocate/").content.decode()
    assert f'value="{approved.pk}"' not in page
    listed = client.get("/apartments/applications/", {"status": "allocated"}).content.decode()
    assert "王新来" in listed and "周青" not in listed
