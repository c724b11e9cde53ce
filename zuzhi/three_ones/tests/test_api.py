"""/api/three-ones: the contract."""

from zuzhi.three_ones.models import Contact, Problem

from .conftest import DAY


def _payload(world, **extra):
    return {
        "team_id": world.team_a.pk,
        "kind": "weekly_talk",
        "date": DAY.isoformat(),
        "cadre_ids": [world.deputy_a1.pk],
        "summary": "谈工作",
        "problems": [
            {
                "cadre_id": world.deputy_a1.pk,
                "problem_type_id": world.type("专业素养不足").pk,
                "description": "不熟悉政策",
            }
        ],
    } | extra


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def test_a_leader_logs_a_talk_with_a_problem(world, api_as):
    response = post(api_as(world.leader_a), "/api/three-ones/contacts", _payload(world))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["recorder_name"] == "甲书记"
    assert [c["name"] for c in body["cadres"]] == ["甲副书记"]
    assert [(p["aspect"], p["problem_type"]) for p in body["problems"]] == [
        ("ability", "专业素养不足")
    ]


def test_leader_of_team_a_posting_for_team_b_is_404(world, api_as):
    payload = _payload(world, team_id=world.team_b.pk, cadre_ids=[world.deputy_b.pk], problems=[])
    assert post(api_as(world.leader_a), "/api/three-ones/contacts", payload).status_code == 404
    assert not Contact.objects.exists()


def test_a_cadre_of_another_team_is_refused_without_naming_them(world, api_as):
    payload = _payload(world, cadre_ids=[world.deputy_b.pk], problems=[])
    response = post(api_as(world.leader_a), "/api/three-ones/contacts", payload)
    assert response.status_code == 400
    assert "乙组织委员" not in response.content.decode()


def test_lists_summary_and_rectify(world, api_as, county_user):
    staff = api_as(world.cadre_staff)
    contact_id = post(staff, "/api/three-ones/contacts", _payload(world)).json()["id"]
    assert staff.get("/api/three-ones/contacts", {"kind": "weekly_talk"}).json()["count"] == 1
    assert staff.get("/api/three-ones/contacts", {"team": world.team_b.pk}).json()["count"] == 0
    detail = staff.get(f"/api/three-ones/contacts/{contact_id}").json()
    problem_id = detail["problems"][0]["id"]
    assert staff.get("/api/three-ones/problems", {"aspect": "ability"}).json()["count"] == 1
    summary = staff.get("/api/three-ones/summary").json()
    assert summary["total"] == 1 and {"aspect": "能力", "count": 1} in summary["by_aspect"]
    done = post(
        staff,
        f"/api/three-ones/problems/{problem_id}/rectify",
        {"rectified_on": DAY.isoformat(), "note": "已学习"},
    )
    assert done.status_code == 200 and done.json()["status"] == "rectified"
    # Other sections see nothing; named objects are 404.
    other = api_as(county_user)
    assert other.get("/api/three-ones/contacts").json()["count"] == 0
    assert other.get(f"/api/three-ones/contacts/{contact_id}").status_code == 404


def test_the_cadre_does_not_read_the_problems_about_them(world, api_as):
    post(api_as(world.cadre_staff), "/api/three-ones/contacts", _payload(world))
    mine = api_as(world.deputy_a1_user)
    assert mine.get("/api/three-ones/problems").json()["count"] == 0
    problem = Problem.objects.get()
    assert (
        post(
            mine,
            f"/api/three-ones/problems/{problem.pk}/rectify",
            {"rectified_on": DAY.isoformat(), "note": "x"},
        ).status_code
        == 404
    )


def test_compliance(world, api_as):
    rows = api_as(world.cadre_staff).get("/api/three-ones/compliance", {"missing": True}).json()
    assert {r["leader"] for r in rows} == {"甲书记", "乙书记"}
    assert api_as(world.leader_a).get("/api/three-ones/compliance").json()[0]["team_id"] == (
        world.team_a.pk
    )


def test_the_list_does_not_query_per_contact(world, api_as, django_assert_max_num_queries):
    staff = api_as(world.cadre_staff)
    for _ in range(5):
        post(staff, "/api/three-ones/contacts", _payload(world))
    with django_assert_max_num_queries(12):
        assert staff.get("/api/three-ones/contacts").json()["count"] == 5


def test_problem_types(world, api_as, county_user):
    types = api_as(world.leader_a).get("/api/three-ones/problem-types").json()
    assert len(types) == 12 and types[0]["aspect"] == "mindset"
    assert api_as(county_user).get("/api/three-ones/problem-types").status_code == 404
    new = {"aspect": "ability", "name": "数字化能力不足"}
    assert post(api_as(world.leader_a), "/api/three-ones/problem-types", new).status_code == 404
    assert post(api_as(world.cadre_staff), "/api/three-ones/problem-types", new).status_code == 201
