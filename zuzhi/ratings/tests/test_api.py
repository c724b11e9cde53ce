import pytest

from zuzhi.accounts.services import token_issue
from zuzhi.ratings.models import AwardStatus, StarAward, StarQuota
from zuzhi.ratings.services import award_propose
from zuzhi.testing.factories import make_member

from .helpers import grant, scheme, star


@pytest.fixture(autouse=True)
def no_quotas(db):
    StarQuota.objects.all().delete()


def call(client, user, method, path, data=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user)}"}
    if method == "post":
        return client.post(
            f"/api/ratings{path}", data or {}, content_type="application/json", **headers
        )
    return client.get(f"/api/ratings{path}", data or {}, **headers)


def test_schemes_are_data(client, town_a_user):
    schemes = {s["code"]: s for s in call(client, town_a_user, "get", "/schemes").json()}
    assert set(schemes) == {"five-star-branch", "three-zero", "ten-star-member", "ten-star-branch"}
    assert [s["name"] for s in schemes["five-star-branch"]["stars"]] == [
        "支部过硬",
        "产业兴旺",
        "生态宜居",
        "平安法治",
        "文明幸福",
    ]
    assert [s["name"] for s in schemes["three-zero"]["stars"]] == ["零上访", "零事故", "零案件"]
    assert len(schemes["ten-star-member"]["stars"]) == 10


def test_propose_confirm_withdraw_through_the_api(
    client, county, town_a_user, county_user, five_star
):
    industry = star(five_star, "产业兴旺")
    body = {
        "star_id": industry.pk,
        "period": "2026",
        "organization_id": county.village_a1.pk,
        "evidence": "村集体经济收入 50 万元",
    }
    created = call(client, town_a_user, "post", "/awards", body)
    assert created.status_code == 201 and created.json()["status"] == "proposed"
    award_id = created.json()["id"]
    refused = call(client, town_a_user, "post", "/awards/confirm", {"award_ids": [award_id]})
    assert refused.status_code == 400 and "县委组织部" in refused.json()["message"]
    confirmed = call(client, county_user, "post", "/awards/confirm", {"award_ids": [award_id]})
    assert confirmed.status_code == 200 and confirmed.json()[0]["status"] == "confirmed"
    levels = call(
        client, town_a_user, "get", "/schemes/five-star-branch/levels", {"period": "2026"}
    )
    by_name = {r["subject_name"]: r for r in levels.json()["items"]}
    assert by_name["李庄村党支部"]["level"] == 1 and by_name["王庄村党支部"]["level"] == 0
    no_reason = call(client, county_user, "post", f"/awards/{award_id}/withdraw", {"reason": ""})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    done = call(client, county_user, "post", f"/awards/{award_id}/withdraw", {"reason": "核查不实"})
    assert done.json()["status"] == "withdrawn" and done.json()["withdrawal_reason"] == "核查不实"
    history = call(client, town_a_user, "get", "/awards", {"scheme": "five-star-branch"}).json()
    assert [a["status"] for a in history["items"]] == ["withdrawn"]


def test_other_township_sees_and_touches_nothing(
    client, county, town_a_user, town_b_user, county_user, five_star
):
    (award,) = grant(town_a_user, county_user, five_star, county.village_a1, "2026", "支部过硬")
    grant(town_a_user, county_user, five_star, county.village_a1, "2025", "支部过硬", "产业兴旺")
    assert call(client, town_b_user, "get", "/awards").json()["count"] == 0
    assert call(client, town_b_user, "get", f"/awards/{award.pk}").status_code == 404
    assert (
        call(client, town_b_user, "get", "/awards", {"org": county.village_a1.pk}).status_code
        == 404
    )
    assert (
        call(
            client, town_b_user, "post", f"/awards/{award.pk}/withdraw", {"reason": "越权"}
        ).status_code
        == 404
    )
    body = {
        "star_id": star(five_star, "产业兴旺").pk,
        "period": "2026",
        "organization_id": county.village_a1.pk,
        "evidence": "越权申报",
    }
    assert call(client, town_b_user, "post", "/awards", body).status_code == 404
    changes = call(
        client, town_b_user, "get", "/schemes/five-star-branch/changes", {"period": "2026"}
    )
    assert changes.json()["count"] == 0
    assert StarAward.objects.filter(status=AwardStatus.WITHDRAWN).count() == 0
    # The county sees the fall from 2 stars to 1.
    mine = call(client, county_user, "get", "/schemes/five-star-branch/changes", {"period": "2026"})
    (row,) = mine.json()["items"]
    assert (row["subject_name"], row["previous_level"], row["level"], row["lost"]) == (
        "李庄村党支部",
        2,
        1,
        ["产业兴旺"],
    )


def test_confirm_with_an_out_of_scope_id_confirms_nothing(
    client, county, town_a_user, town_b_user, county_user, five_star
):
    mine = award_propose(
        actor=town_b_user,
        star=star(five_star, "支部过硬"),
        period="2026",
        subject=county.village_b1,
        evidence="依据",
    )
    theirs = award_propose(
        actor=town_a_user,
        star=star(five_star, "支部过硬"),
        period="2026",
        subject=county.village_a1,
        evidence="依据",
    )
    both = {"award_ids": [mine.pk, theirs.pk]}
    assert call(client, town_b_user, "post", "/awards/confirm", both).status_code == 404
    assert set(StarAward.objects.values_list("status", flat=True)) == {AwardStatus.PROPOSED}


def test_member_stars_name_a_member(client, county, town_a_user):
    member = make_member(county.village_a1, name="钱七")
    service = star(scheme("ten-star-member"), "服务群众")
    wrong = {"star_id": service.pk, "period": "2026", "organization_id": county.village_a1.pk}
    refused = call(client, town_a_user, "post", "/awards", {**wrong, "evidence": "依据"})
    assert refused.status_code == 400 and "党员" in str(refused.json()["errors"])
    body = {"star_id": service.pk, "period": "2026", "member_id": member.pk, "evidence": "依据"}
    created = call(client, town_a_user, "post", "/awards", body).json()
    assert (created["subject_name"], created["organization_name"]) == ("钱七", "李庄村党支部")


@pytest.mark.parametrize("role", ["auditor_user", "sysadmin_user", "judge"])
def test_roles_without_data_scope_get_empty_answers(
    request, role, client, county, town_a_user, county_user, five_star
):
    from zuzhi.core.roles import Role
    from zuzhi.testing.factories import user_with_role

    grant(town_a_user, county_user, five_star, county.village_a1, "2026", "支部过硬")
    user = (
        user_with_role(Role.JUDGE, county.county, username="judge")
        if role == "judge"
        else request.getfixturevalue(role)
    )
    base = "/schemes/five-star-branch"
    distribution = call(client, user, "get", f"{base}/distribution", {"period": "2026"})
    assert distribution.status_code == 200
    assert distribution.json()["total"] == 0 and set(distribution.json()["levels"].values()) == {0}
    for path in (f"{base}/levels", f"{base}/changes", "/awards"):
        answer = call(client, user, "get", path, {"period": "2026"})
        assert answer.status_code == 200 and answer.json()["items"] == []


@pytest.mark.parametrize("ids", [[2**63], [-(2**63) - 1], [10**30], [0], [-1]])
def test_confirm_refuses_ids_no_row_can_have(client, county_user, ids):
    answer = call(client, county_user, "post", "/awards/confirm", {"award_ids": ids})
    assert answer.status_code in (404, 422)


@pytest.mark.parametrize("pk", [2**63, 10**30])
def test_award_lookups_answer_not_found_for_ids_no_row_can_have(client, county_user, pk):
    assert call(client, county_user, "get", f"/awards/{pk}").status_code in (404, 422)
    withdraw = call(client, county_user, "post", f"/awards/{pk}/withdraw", {"reason": "无"})
    assert withdraw.status_code in (404, 422)


PAST_64_BITS = 2**64  # no database key reaches it (the largest is 2**63 - 1)


@pytest.mark.parametrize(
    ("method", "path", "data", "field"),
    [
        ("get", "/awards", {"org": PAST_64_BITS}, "org"),
        ("get", "/schemes/five-star-branch/levels", {"org": PAST_64_BITS}, "org"),
        ("post", "/awards", {"star_id": PAST_64_BITS, "period": "2026"}, "star_id"),
        (
            "post",
            "/awards",
            {"star_id": 1, "period": "2026", "organization_id": PAST_64_BITS},
            "organization_id",
        ),
        ("post", "/awards/confirm", {"award_ids": [1, PAST_64_BITS]}, "award_ids"),
        (
            "post",
            "/schemes/five-star-branch/adopt",
            {"organization_id": PAST_64_BITS},
            "organization_id",
        ),
    ],
)
def test_body_and_query_ids_past_64_bits_answer_the_chinese_input_error(
    client, county_user, method, path, data, field
):
    client.raise_request_exception = False
    answer = call(client, county_user, method, path, data)
    assert answer.status_code == 422
    assert answer.json() == {"message": "提交的数据格式不正确。", "errors": {field: ["数值太大。"]}}


@pytest.mark.parametrize("path", [f"/awards/{PAST_64_BITS}", f"/awards/{PAST_64_BITS}/withdraw"])
def test_path_ids_past_64_bits_answer_the_chinese_not_found(client, county_user, path):
    client.raise_request_exception = False
    method = "post" if path.endswith("withdraw") else "get"
    answer = call(client, county_user, method, path, {"reason": "无"})
    assert answer.status_code == 404
    assert answer.json() == {"message": "未找到该对象。", "errors": {}}
