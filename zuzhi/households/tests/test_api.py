"""/api/households and /api/household-links as a client uses them."""

import json

from django.test import override_settings

from zuzhi.core.scope import SYSTEM
from zuzhi.households.models import Household, HouseholdLink
from zuzhi.households.services import household_link

from .conftest import household, unit_member


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_create_list_patch_a_household_masked(world, api_as):
    client = api_as(world.town_a)
    village = world.county.village_a1
    response = post(
        client,
        "/api/households",
        {
            "community_id": village.pk,
            "address": "幸福路8号",
            "head_name": "王八",
            "phone": "13912345678",
        },
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    listed = client.get("/api/households", {"community": village.pk, "state": "unlinked"}).json()
    assert [h["id"] for h in listed["items"]] == [pk]
    assert listed["items"][0]["phone"] == "139****5678"
    response = client.patch(
        f"/api/households/{pk}", json.dumps({"grid": "三网格"}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["grid"] == "三网格"
    bad = post(
        client,
        "/api/households",
        {"community_id": village.pk, "address": "x", "head_name": "王", "phone": "1"},
    )
    assert bad.status_code == 400 and "phone" in bad.json()["errors"]


def test_a_township_cannot_register_in_another_towns_village(world, api_as):
    response = post(
        api_as(world.town_a),
        "/api/households",
        {"community_id": world.county.village_b1.pk, "address": "1号", "head_name": "王五"},
    )
    assert response.status_code == 404
    assert not Household.objects.exists()


@override_settings(ZUZHI_HOUSEHOLD_LINK_CAP=3)
def test_link_end_and_bulk_assign(world, api_as):
    client = api_as(world.county_staff)
    village = world.county.village_a1
    for n in range(7):
        household(village, f"{n}号", grid="一网格" if n < 5 else "二网格")
    members = [unit_member(world.unit, n) for n in range(2)]
    response = post(
        client,
        "/api/household-links/bulk-assign",
        {"community_id": village.pk, "grid": "一网格", "member_ids": [m.pk for m in members]},
    )
    assert response.json() == {"linked": 5, "left": 0}, response.content
    assert Household.objects.filter(grid="二网格", member__isnull=True).count() == 2
    h = Household.objects.get(address="5号")
    third = unit_member(world.unit2, 3)
    response = post(client, "/api/household-links", {"household_id": h.pk, "member_id": third.pk})
    assert response.status_code == 201, response.content
    link_id = response.json()["id"]
    over = post(
        client,
        "/api/household-links",
        {"household_id": Household.objects.get(address="6号").pk, "member_id": members[0].pk},
    )
    assert over.status_code == 400 and "最多联系 3 户" in str(over.json())
    response = post(client, f"/api/household-links/{link_id}/end", {"end_reason": "住户搬走"})
    assert response.status_code == 200 and response.json()["ended_on"]
    history = client.get("/api/household-links", {"household": h.pk}).json()["items"]
    assert [x["end_reason"] for x in history] == ["住户搬走"]


def test_a_member_sees_only_their_own_households(world, api_as):
    mine, other = unit_member(world.unit, 1, with_user=True), unit_member(world.unit, 2)
    h1, h2 = household(world.county.village_a1, "1号"), household(world.county.village_a1, "2号")
    household_link(actor=SYSTEM, household=h1, member=mine)
    household_link(actor=SYSTEM, household=h2, member=other)
    client = api_as(mine.user)
    assert [h["id"] for h in client.get("/api/households/mine").json()["items"]] == [h1.pk]
    assert [h["id"] for h in client.get("/api/households").json()["items"]] == [h1.pk]
    assert client.get(f"/api/households/{h2.pk}").status_code == 404
    link = HouseholdLink.objects.get(household=h2)
    assert (
        post(client, f"/api/household-links/{link.pk}/end", {"end_reason": "x"}).status_code == 404
    )


def test_the_list_answers_in_a_bounded_number_of_queries(
    world, api_as, django_assert_max_num_queries
):
    member = unit_member(world.unit, 1)
    for n in range(30):
        h = household(world.county.village_a1, f"{n}号")
        if n < 10:
            household_link(actor=SYSTEM, household=h, member=member)
    client = api_as(world.county_staff)
    client.get("/api/households")
    with django_assert_max_num_queries(10):
        items = client.get("/api/households", {"page_size": 50}).json()["items"]
    assert len(items) == 30 and sum(1 for h in items if h["member"]) == 10
