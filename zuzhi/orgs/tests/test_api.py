import pytest

from zuzhi.accounts.services import token_issue
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.orgs.services import org_update


@pytest.fixture
def api(client):
    tokens = {}

    def call(user, method, path, data=None):
        if user.pk not in tokens:
            tokens[user.pk] = token_issue(user=user)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.pk]}"}
        fn = getattr(client, method)
        if method in ("post", "patch"):
            return fn(f"/api{path}", data=data or {}, content_type="application/json", **headers)
        return fn(f"/api{path}", data or {}, **headers)

    return call


def codes(response):
    return {item["code"] for item in response.json()["items"]}


def test_list_is_scoped_filtered_and_paginated(county, api, town_a_user, county_user):
    assert codes(api(town_a_user, "get", "/orgs")) == {"TA", "VA1", "VA2"}
    assert codes(api(town_a_user, "get", "/orgs", {"parent": county.town_a.pk})) == {"VA1", "VA2"}
    assert codes(api(county_user, "get", "/orgs", {"type": "committee"})) == {"TA", "TB"}
    page = api(county_user, "get", "/orgs", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 7 and len(page["items"]) == 2


@pytest.mark.parametrize("q", ["李庄", "lzc", "VA1"])
def test_search_never_crosses_townships(county, api, town_a_user, town_b_user, q):
    assert "VA1" in codes(api(town_a_user, "get", "/orgs", {"q": q}))
    assert codes(api(town_b_user, "get", "/orgs", {"q": q})) == set()


def test_other_township_gets_404_everywhere(county, api, town_b_user):
    pk = county.village_a1.pk
    for method, path, data in [
        ("get", f"/orgs/{pk}", None),
        ("get", f"/orgs/{pk}/history", None),
        ("patch", f"/orgs/{pk}", {"name": "越权"}),
        ("get", "/orgs", {"parent": pk}),
    ]:
        response = api(town_b_user, method, path, data)
        if path == "/orgs":
            assert response.json()["items"] == []
        else:
            assert response.status_code == 404
            assert response.json() == {"message": "未找到该对象。", "errors": {}}
    county.village_a1.refresh_from_db()
    assert county.village_a1.name == "李庄村党支部"


def test_create_under_other_township_is_404(county, api, town_b_user):
    payload = {
        "parent_id": county.town_a.pk,
        "code": "X9",
        "name": "越权党支部",
        "org_type": "branch",
    }
    assert api(town_b_user, "post", "/orgs", payload).status_code == 404


def test_create_and_patch_through_the_services(county, api, town_a_user):
    payload = {
        "parent_id": county.town_a.pk,
        "code": "NEW1",
        "name": "新村党支部",
        "org_type": "branch",
    }
    created = api(town_a_user, "post", "/orgs", payload)
    assert created.status_code == 201
    pk = created.json()["id"]
    start = AuditLog.objects.count()
    patched = api(town_a_user, "patch", f"/orgs/{pk}", {"secretary_name": "王书记"})
    assert patched.status_code == 200 and patched.json()["secretary_name"] == "王书记"
    rows = list(AuditLog.objects.order_by("id")[start:])
    assert len(rows) == 1 and rows[0].action == AuditAction.UPDATE
    assert rows[0].before == {"secretary_name": ""} and rows[0].after == {
        "secretary_name": "王书记"
    }
    history = api(town_a_user, "get", f"/orgs/{pk}/history").json()["items"]
    assert [h["action"] for h in history] == ["update", "create"]


def test_rule_errors_are_chinese_with_a_field_map(county, api, town_a_user):
    response = api(
        town_a_user,
        "patch",
        f"/orgs/{county.village_a1.pk}",
        {"term_start": "2024-01-01", "term_end": "2020-01-01", "division_code": "999999"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "提交的数据有误。"
    assert set(body["errors"]) == {"term_end", "division_code"}


def test_schema_errors_are_chinese_with_a_field_map(county, api, town_a_user):
    response = api(town_a_user, "post", "/orgs", {"name": "缺字段", "founded_on": "昨天"})
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "提交的数据格式不正确。"
    assert body["errors"]["code"] == ["必填。"] and "founded_on" in body["errors"]


def test_phone_is_masked_for_township_staff(county, api, town_a_user, county_user):
    org_update(actor=None, org=county.village_a1, data={"secretary_phone": "13812345678"})
    path = f"/orgs/{county.village_a1.pk}"
    assert api(town_a_user, "get", path).json()["secretary_phone"] == "138****5678"
    assert api(county_user, "get", path).json()["secretary_phone"] == "13812345678"
    listed = api(town_a_user, "get", "/orgs", {"q": "VA1"}).json()["items"]
    assert listed[0]["secretary_phone"] == "138****5678"


def test_requests_without_a_valid_token_are_401(county, client):
    assert client.get("/api/orgs").status_code == 401
    response = client.get("/api/orgs", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401 and "令牌" in response.json()["message"]


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200 and "/api/orgs/{org_id}/history" in schema.json()["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "cdn." not in docs.content.decode()
