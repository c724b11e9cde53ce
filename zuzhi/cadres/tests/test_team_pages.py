"""The leadership team pages and /api/teams: what each role sees and who writes."""

import datetime

import pytest

from zuzhi.cadres import team_services as svc
from zuzhi.cadres.models import PostHolding, TargetKind, TeamKind, TeamTarget
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.testing.factories import make_cadre, user_with_role, valid_id_number

D = datetime.date


@pytest.fixture
def officer(county):
    return user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer")


@pytest.fixture
def teams(county, officer):
    """Town A's committee with a secretary (whose ID number must never show), town B's."""
    a = svc.team_create(actor=officer, organization=county.town_a, kind=TeamKind.TOWNSHIP_COMMITTEE)
    b = svc.team_create(actor=officer, organization=county.town_b, kind=TeamKind.TOWNSHIP_COMMITTEE)
    secretary = make_cadre(
        county.town_a, name="王书记", id_number=valid_id_number(sequence=11), rank="principal_1"
    )
    svc.post_appoint(
        actor=officer, post=a.posts.get(title="书记"), cadre=secretary, start=D(2024, 1, 1)
    )
    TeamTarget.objects.create(kind=TargetKind.MIN_WOMEN, value=1, label="至少1名女性干部")
    return a, b


def _denied() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


# --- pages -----------------------------------------------------------------------------------
def test_township_staff_see_their_teams_roster_without_id_numbers(client_as, teams, town_a_user):
    a, b = teams
    client = client_as(town_a_user)
    page = client.get("/cadres/teams/").content.decode()
    assert "城关镇党委" in page and "城郊乡党委" not in page
    assert "缺少女性干部" in page
    detail = client.get(f"/cadres/teams/{a.pk}/").content.decode()
    assert "王书记" in detail and "一级主任科员" in detail
    assert valid_id_number(sequence=11) not in detail
    assert "任命" not in detail and "免职" not in detail  # the forms are the cadre section's
    before = _denied()
    assert client.get(f"/cadres/teams/{b.pk}/").status_code == 404
    assert _denied() == before + 1


def test_township_staff_cannot_appoint_on_their_own_team(client_as, teams, town_a_user, county):
    a, _ = teams
    someone = make_cadre(county.town_a, name="甲", id_number=valid_id_number(sequence=21))
    before = _denied()
    response = client_as(town_a_user).post(
        f"/cadres/teams/{a.pk}/appoint/",
        {"post": a.posts.get(title="组织委员").pk, "cadre": someone.pk, "start": "2025-01-01"},
    )
    assert response.status_code == 404
    assert _denied() == before + 1
    assert PostHolding.objects.count() == 1


def test_the_cadre_section_appoints_and_ends_on_the_page(client_as, teams, officer, county):
    a, _ = teams
    client = client_as(officer)
    assert "任命" in client.get(f"/cadres/teams/{a.pk}/").content.decode()
    li = make_cadre(county.town_a, name="李委员", id_number=valid_id_number(sequence=22))
    post = a.posts.get(title="组织委员")
    response = client.post(
        f"/cadres/teams/{a.pk}/appoint/", {"post": post.pk, "cadre": li.pk, "start": "2025-01-01"}
    )
    assert response.status_code == 302
    other = make_cadre(county.town_a, name="张", id_number=valid_id_number(sequence=23))
    full = client.post(
        f"/cadres/teams/{a.pk}/appoint/",
        {"post": post.pk, "cadre": other.pk, "start": "2025-01-01"},
    )
    assert full.status_code == 422
    assert "城关镇党委组织委员职数已满（1名）" in full.content.decode()
    holding = PostHolding.objects.get(cadre=li)
    client.post(f"/cadres/teams/holdings/{holding.pk}/end/", {"end": "2025-06-30"})
    post.refresh_from_db()
    assert post.vacant_since == D(2025, 6, 30)
    assert "2025-06-30起" in client.get(f"/cadres/teams/{a.pk}/").content.decode()


def test_the_list_filters_and_exports(client_as, teams, county_user):
    a, b = teams
    client = client_as(county_user)
    page = client.get("/cadres/teams/?missing=1&vacant=1").content.decode()
    assert f"/cadres/teams/{a.pk}/" in page and f"/cadres/teams/{b.pk}/" in page
    page = client.get(f"/cadres/teams/?org={a.organization_id}").content.decode()
    assert f"/cadres/teams/{b.pk}/" not in page
    response = client.get("/cadres/teams/export/?kind=township_committee")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_structure_page_embeds_its_chart_data(client_as, teams, county_user):
    page = client_as(county_user).get("/cadres/teams/structure/").content.decode()
    assert 'id="team-chart-data" type="application/json"' in page
    assert "team-charts.js" in page
    assert "缺少女性干部" in page


def test_targets_page_is_the_cadre_sections(client_as, teams, officer, town_a_user):
    assert client_as(town_a_user).get("/cadres/teams/targets/").status_code == 404
    client = client_as(officer)
    assert "至少1名女性干部" in client.get("/cadres/teams/targets/").content.decode()
    client.post(
        "/cadres/teams/targets/add/",
        {
            "new-label": "至少1名35岁及以下",
            "new-kind": "min_under_age",
            "new-team_kind": "",
            "new-value": "1",
            "new-parameter": "35",
            "new-is_active": "on",
        },
    )
    assert TeamTarget.objects.filter(kind="min_under_age", parameter="35").exists()


# --- API -------------------------------------------------------------------------------------
def test_api_lists_teams_with_structure_and_vacancies(api_as, teams, town_a_user):
    body = api_as(town_a_user).get("/api/teams").json()
    assert body["count"] == 1
    team = body["items"][0]
    assert team["name"] == "城关镇党委" and team["missing"] == ["缺少女性干部"]
    assert team["structure"]["total"] == 1
    assert {v["title"] for v in team["vacancies"]} >= {"组织委员", "宣传委员"}


def test_api_detail_has_roster_targets_and_no_id_number(api_as, teams, town_a_user):
    a, _ = teams
    body = api_as(town_a_user).get(f"/api/teams/{a.pk}").json()
    first = body["roster"][0]
    assert (first["post"], first["name"], first["rank"]) == ("书记", "王书记", "一级主任科员")
    assert body["targets"][0]["met"] is False
    assert valid_id_number(sequence=11) not in str(body)


def test_api_appoints_and_ends_for_the_cadre_section_only(api_as, teams, officer, county):
    a, _ = teams
    post = a.posts.get(title="宣传委员")
    zhou = make_cadre(county.town_a, name="周", id_number=valid_id_number(sequence=31))
    payload = {"post_id": post.pk, "cadre_id": zhou.pk, "start": "2025-03-01"}
    town = user_with_role(Role.TOWNSHIP_STAFF, county.town_a, username="town_writer")
    assert (
        api_as(town)
        .post(f"/api/teams/{a.pk}/appointments", payload, content_type="application/json")
        .status_code
        == 404
    )
    client = api_as(officer)
    created = client.post(
        f"/api/teams/{a.pk}/appointments", payload, content_type="application/json"
    )
    assert created.status_code == 201
    again = client.post(
        f"/api/teams/{a.pk}/appointments",
        payload | {"cadre_id": make_cadre(county.town_a, name="吴").pk},
        content_type="application/json",
    )
    assert again.status_code == 400
    assert "职数已满" in str(again.json())
    holding_id = created.json()["id"]
    ended = client.post(
        f"/api/teams/appointments/{holding_id}/end",
        {"end": "2025-02-28"},
        content_type="application/json",
    )
    assert ended.status_code == 400 and "不能早于任职时间" in str(ended.json())
    ended = client.post(
        f"/api/teams/appointments/{holding_id}/end",
        {"end": "2025-09-30"},
        content_type="application/json",
    )
    assert ended.json()["end"] == "2025-09-30"


def test_api_structure_of_all_teams(api_as, teams, county_user):
    body = api_as(county_user).get("/api/teams/structure").json()
    assert body["teams"] == 2 and body["teams_missing"] == 2
    assert body["structure"]["college_label"] == "本科及以上"
    assert {"label": "缺少女性干部", "count": 2} in body["shortfalls"]
