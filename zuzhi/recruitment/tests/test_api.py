from zuzhi.accounts.services import token_issue
from zuzhi.testing.factories import valid_id_number


def call(client, user, method, path, data=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user)}"}
    if method == "post":
        return client.post(f"/api{path}", data, content_type="application/json", **headers)
    return client.get(f"/api{path}", **headers)


def test_pipeline_through_the_api(client, county, town_a_user, town_b_user):
    payload = {
        "organization_id": county.village_a1.pk,
        "applied_on": "2022-03-01",
        "name": "赵小青",
        "id_number": valid_id_number("20000101", 222),
        "ethnicity": "01",
    }
    assert call(client, town_b_user, "post", "/recruitment", payload).status_code == 404
    created = call(client, town_a_user, "post", "/recruitment", payload).json()
    pk = created["id"]
    assert created["stage"] == "applicant" and "********" in created["id_number"]
    assert (
        call(
            client, town_a_user, "post", f"/recruitment/{pk}/advance", {"on": "2022-03-01"}
        ).json()["earliest_next_step"]
        == "2023-03-01"
    )
    early = call(client, town_a_user, "post", f"/recruitment/{pk}/advance", {"on": "2023-02-28"})
    assert early.status_code == 400 and "一年以上" in early.json()["errors"]["on"][0]
    assert call(client, town_b_user, "get", f"/recruitment/{pk}").status_code == 404
    assert call(client, town_b_user, "get", "/recruitment").json() == []
