"""/api/apartments: the talent office's cycle through the API, money in fen, 409 on a second
allocation, and the logged 404 for everyone else."""

from types import SimpleNamespace

import pytest

from zuzhi.apartments.models import Allocation
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.testing.factories import make_talent, valid_id_number

from .conftest import approved_application

JSON = "application/json"


def _allocate(client, flat, application, **extra):
    body = {"application_id": application.pk, "start": "2026-09-01", "end": "2027-08-31"} | extra
    return client.post(
        f"/api/apartments/flats/{flat.pk}/allocate", body, content_type="application/json"
    )


def test_the_office_runs_the_cycle_through_the_api(talent_world, apartments, api_as):
    w = talent_world
    client = api_as(w.office)
    flat = apartments.flats[0]
    application = approved_application(w)
    r = _allocate(client, flat, application, rent_free=False, rent_fen=80000, deposit_fen=160000)
    assert r.status_code == 201, r.json()
    a = r.json()
    assert (a["status"], a["rent_fen"], a["deposit_fen"]) == ("allocated", 80000, 160000)
    assert (a["application_id"], a["talent_id"]) == (application.pk, w.talent.pk)
    url = f"/api/apartments/allocations/{a['id']}"
    steps = [
        ("check-in", {"checked_in_on": "2026-09-01", "keys_handed": 2}, "checked_in"),
        ("renew", {"new_end": "2028-08-31", "renewed_on": "2027-08-01"}, "checked_in"),
        ("return", {"returned_on": "2026-11-20", "keys_returned": 2}, "returned"),
        ("inspect", {"inspected_on": "2026-11-23", "condition": "good"}, "closed"),
    ]
    for action, body, status in steps:
        r = client.post(f"{url}/{action}", body, content_type="application/json")
        assert r.status_code == 200, (action, r.json())
        assert r.json()["status"] == status
    assert r.json()["renewals"][0]["previous_end"] == "2027-08-31"
    flat_json = client.get(f"/api/apartments/flats/{flat.pk}").json()
    assert (flat_json["state"], flat_json["allocation_id"]) == ("vacant", None)


def test_a_second_allocation_answers_409_in_chinese(talent_world, apartments, api_as):
    w = talent_world
    client = api_as(w.office)
    first = approved_application(w)
    assert _allocate(client, apartments.flats[0], first).status_code == 201
    other = make_talent(w.county.county, name="第二人", id_number=valid_id_number("19960101", 901))
    r = _allocate(client, apartments.flats[0], approved_application(w, other))
    assert r.status_code == 409 and "不能重复分配" in r.json()["message"]
    r = _allocate(client, apartments.flats[1], approved_application(w))
    assert r.status_code == 409 and "不能同时分配两套" in r.json()["message"]
    r = _allocate(client, apartments.flats[1], first)
    assert r.status_code == 409 and "一份申请只能分配一次" in r.json()["message"]
    assert Allocation.objects.count() == 1


def test_money_must_be_whole_fen(talent_world, apartments, api_as):
    client = api_as(talent_world.office)
    application = approved_application(talent_world)
    r = _allocate(client, apartments.flats[0], application, rent_free=False, rent_fen=800.5)
    assert r.status_code == 422
    assert not Allocation.objects.exists()


def test_buildings_give_the_counts(talent_world, apartments, api_as):
    w = talent_world
    client = api_as(w.office)
    _allocate(client, apartments.flats[0], approved_application(w))
    [row] = client.get("/api/apartments/buildings").json()
    assert (row["total"], row["occupied"], row["vacant"], row["occupancy_rate"]) == (10, 1, 9, 10.0)
    r = client.post(
        f"/api/apartments/buildings/{apartments.building.pk}/flats",
        {
            "prefix": "3-",
            "first_floor": 3,
            "last_floor": 3,
            "first_room": 1,
            "last_room": 4,
            "area": "58.00",
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and [f["number"] for f in r.json()] == [
        "3-301",
        "3-302",
        "3-303",
        "3-304",
    ]
    vacant = client.get(f"/api/apartments/flats?building={apartments.building.pk}&state=vacant")
    assert vacant.json()["count"] == 13


@pytest.mark.parametrize("who", ["county_staff", "township", "talent_user"])
def test_everyone_but_the_office_gets_the_logged_404(talent_world, apartments, api_as, who):
    w = talent_world
    client = api_as(getattr(w, who))
    denials = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    assert client.get("/api/apartments/buildings").status_code == 404
    assert client.get(f"/api/apartments/flats/{apartments.flats[0].pk}").status_code == 404
    assert _allocate(client, apartments.flats[0], approved_application(w)).status_code == 404
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == denials + 3
    assert not Allocation.objects.exists()


def test_the_other_county_office_sees_only_its_own(talent_world, apartments, api_as):
    client = api_as(talent_world.other_office)
    # The other office is the talent office, only not of this county.
    denials = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    assert client.get(f"/api/apartments/flats/{apartments.flats[0].pk}").status_code == 404
    application = approved_application(talent_world)
    assert _allocate(client, apartments.flats[0], application).status_code == 404
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == denials + 2
    assert [b["name"] for b in client.get("/api/apartments/buildings").json()] == ["专家公寓"]


def test_an_allocation_needs_an_approved_application(talent_world, apartments, api_as):
    w = talent_world
    client = api_as(w.office)
    flat = apartments.flats[0]
    body = {"talent_id": w.talent.pk, "start": "2026-09-01", "end": "2027-08-31"}
    r = client.post(f"/api/apartments/flats/{flat.pk}/allocate", body, content_type=JSON)
    assert r.status_code == 422
    pending = client.post(
        "/api/apartments/applications",
        {"talent_id": w.talent.pk, "applied_on": "2026-08-01"},
        content_type=JSON,
    ).json()
    r = _allocate(client, flat, SimpleNamespace(pk=pending["id"]))
    assert r.status_code == 400 and "只能依据已同意的入住申请" in str(r.json())
    client.post(f"/api/apartments/applications/{pending['id']}/approve", {}, content_type=JSON)
    r = _allocate(client, flat, SimpleNamespace(pk=pending["id"]))
    assert r.status_code == 201 and r.json()["talent_id"] == w.talent.pk
    [application] = client.get("/api/apartments/applications?status=allocated").json()["items"]
    assert application["id"] == pending["id"]
    assert not Allocation.objects.filter(talent=w.talent).exclude(application_id=pending["id"])
