from zuzhi.accounts.services import token_issue
from zuzhi.appraisal.services import appraisal_open, ballot_cast
from zuzhi.testing.factories import make_member, valid_id_number


def call(client, user, method, path, data=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user)}"}
    if method == "post":
        return client.post(f"/api{path}", data or {}, content_type="application/json", **headers)
    return client.get(f"/api{path}", **headers)


def test_votes_hidden_until_closed_and_scope(client, county, town_a_user, town_b_user):
    for i in range(3):
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
    round_, codes = appraisal_open(actor=town_a_user, organization=county.village_a1, year=2026)
    subjects = list(round_.subjects.values_list("pk", flat=True))
    ballot_cast(round_id=round_.pk, code=codes[0], marks=dict.fromkeys(subjects, "qualified"))
    detail = call(client, town_a_user, "get", f"/appraisals/{round_.pk}").json()
    assert detail["ballots"] == 1 and all(s["votes"] is None for s in detail["subjects"])
    assert call(client, town_b_user, "get", f"/appraisals/{round_.pk}").status_code == 404
    assert call(client, town_b_user, "get", "/appraisals").json() == []
    closed = call(client, town_a_user, "post", f"/appraisals/{round_.pk}/close").json()
    assert all(s["votes"]["qualified"] == 1 for s in closed["subjects"])
    too_many = call(
        client,
        town_a_user,
        "post",
        f"/appraisals/{round_.pk}/decision",
        {"grades": dict.fromkeys(map(str, subjects), "excellent")},
    )
    assert too_many.status_code == 400 and "上限" in str(too_many.json())
