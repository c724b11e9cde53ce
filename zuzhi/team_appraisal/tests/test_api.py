import pytest

from zuzhi.team_appraisal import services
from zuzhi.team_appraisal.models import TeamAppraisal

from .conftest import full_marks

BODY = {
    "year": 2026,
    "groups": [
        {"name": "班子成员", "weight": "30", "codes": 2},
        {"name": "中层干部", "weight": "70", "codes": 3},
    ],
}


def test_open_close_and_read_results(world, api_as):
    api = api_as(world.staff)
    created = api.post(
        "/api/team-appraisals", {**BODY, "team_id": world.team.pk}, content_type="application/json"
    )
    assert created.status_code == 201
    data = created.json()
    assert [len(g["codes"]) for g in data["codes"]] == [2, 3]
    assert data["ballot_path"].startswith("/team-appraisals/vote/")
    appraisal = TeamAppraisal.objects.get()
    code = data["codes"][1]["codes"][0]
    services.ballot_cast(
        appraisal_id=appraisal.pk,
        code=code,
        marks=full_marks(appraisal, {world.member.pk: "incompetent"}),
    )
    assert api.get(f"/api/team-appraisals/{appraisal.pk}/results").json()["results"] == []
    closed = api.post(f"/api/team-appraisals/{appraisal.pk}/close").json()
    assert closed["status"] == "closed"
    member = next(r for r in closed["results"] if r["cadre_id"] == world.member.pk)
    assert member["approval"] == "0.0000" and member["unfit"] == "1.0000"
    assert member["below_approval"] and member["above_unfit"]
    assert member["groups"][1]["overall"]["incompetent"] == 1
    assert member["groups"][0]["ballots"] == 0
    listed = api.get("/api/team-appraisals").json()
    assert [a["id"] for a in listed] == [appraisal.pk]


def test_weights_refused_in_chinese(world, api_as):
    body = {**BODY, "team_id": world.team.pk, "groups": [BODY["groups"][0]]}
    body["groups"].append({**BODY["groups"][1], "weight": "60"})
    response = api_as(world.staff).post(
        "/api/team-appraisals", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["groups"] == ["各测评主体的权重合计应为 100%，现为 90%。"]


@pytest.mark.parametrize("who", ["county_user", "town_a_user", "leader"])
def test_others_get_404(world, api_as, request, who):
    user = world.leader if who == "leader" else request.getfixturevalue(who)
    api = api_as(user)
    assert api.get("/api/team-appraisals").status_code == 404
    body = {**BODY, "team_id": world.team.pk}
    assert (
        api.post("/api/team-appraisals", body, content_type="application/json").status_code == 404
    )
    assert not TeamAppraisal.objects.exists()
