from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.testing.factories import make_cadre, valid_id_number


def test_create_links_cadre_and_lists(county, town_a_user, api_as):
    number = valid_id_number(birth="19850101", sequence=77)
    cadre = make_cadre(county.town_a, name="李明", id_number=number)
    api = api_as(town_a_user)
    response = api.post(
        "/api/reserves",
        {
            "village_id": county.village_a1.pk,
            "id_number": number,
            "source": "other",
            "discovery": "self",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["cadre_id"] == cadre.pk and body["name"] == "李明" and body["age"] >= 40
    assert body["id_number"] != number  # township staff see it masked
    listed = api.get("/api/reserves", {"q": "lm"}).json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]


def test_invalid_id_refused_in_chinese(county, town_a_user, api_as):
    response = api_as(town_a_user).post(
        "/api/reserves",
        {
            "village_id": county.village_a1.pk,
            "id_number": "41133019800101",
            "name": "甲",
            "source": "other",
            "discovery": "self",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "18 位" in str(response.json())


def test_other_township_is_logged_404(county, town_a_user, town_b_user, api_as, make_reserve):
    b = make_reserve(county.village_b1, actor=town_b_user)
    api = api_as(town_a_user)
    assert api.get(f"/api/reserves/{b.pk}").status_code == 404
    patch = api.patch(f"/api/reserves/{b.pk}", {"name": "改"}, content_type="application/json")
    assert patch.status_code == 404
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 2


def test_county_sees_all_branch_secretary_nothing(
    county, county_user, branch_a1_user, town_b_user, api_as, make_reserve
):
    make_reserve(county.village_a1)
    make_reserve(county.village_b1, actor=town_b_user, id_number=valid_id_number(sequence=5))
    assert api_as(county_user).get("/api/reserves").json()["count"] == 2
    assert api_as(branch_a1_user).get("/api/reserves").status_code == 404


def test_returning_talent_api(county, town_a_user, api_as):
    api = api_as(town_a_user)
    response = api.post(
        "/api/reserves/returning-talent",
        {"home_village_id": county.village_a1.pk, "name": "周雁", "phone": "13912345678"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    items = api.get("/api/reserves/returning-talent").json()["items"]
    assert items[0]["name"] == "周雁" and items[0]["phone"] != "13912345678"
    other = api.post(
        "/api/reserves/returning-talent",
        {"home_village_id": county.village_b1.pk, "name": "钱"},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_township_review_steps_and_history_through_the_api(
    county, town_a_user, town_b_user, api_as, make_reserve
):
    from zuzhi.reserves.models import ReserveCandidate, ReserveStatus

    person = make_reserve(county.village_a1)
    api = api_as(town_a_user)
    refused = api.post(
        "/api/reserves/township-review",
        {"ids": [person.pk], "approve": False},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "退回须写明原因" in str(refused.json())
    other = api_as(town_b_user).post(
        "/api/reserves/township-review",
        {"ids": [person.pk], "approve": True},
        content_type="application/json",
    )
    assert other.status_code == 404
    done = api.post(
        "/api/reserves/township-review",
        {"ids": [person.pk], "approve": True},
        content_type="application/json",
    )
    assert done.json()[0]["status"] == "township_approved"
    ReserveCandidate.objects.filter(pk=person.pk).update(status=ReserveStatus.IN_POOL)
    step = api.post(
        f"/api/reserves/{person.pk}/steps",
        {"step": "exit", "reason": "迁居外省"},
        content_type="application/json",
    )
    assert step.json()["status"] == "exited" and step.json()["status_reason"] == "迁居外省"
    kinds = [e["kind"] for e in api.get(f"/api/reserves/{person.pk}/history").json()]
    assert kinds == ["nominated", "township_approved", "exited"]
