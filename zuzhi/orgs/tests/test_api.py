import pytest

from zuzhi.accounts.services import token_issue
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.scope import SYSTEM
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
    # As the history page writes it: the field's label, not its name.
    assert history[0]["changes"] == [{"label": "书记", "before": "—", "after": "王书记"}]


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
    assert body["errors"]["org_type"] == ["必填。"] and "founded_on" in body["errors"]


def test_phone_is_masked_for_township_staff(county, api, town_a_user, county_user):
    org_update(actor=SYSTEM, org=county.village_a1, data={"secretary_phone": "13812345678"})
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
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    # The issue's contract: these paths and methods must not drift.
    contract = {
        "/api/auth/token": {"post"},
        "/api/orgs": {"get", "post"},
        "/api/orgs/{org_id}": {"get", "patch"},
        "/api/orgs/{org_id}/history": {"get"},
        "/api/audit": {"get"},
    }
    assert {path: set(paths[path]) for path in contract} == contract
    assert {p["name"] for p in paths["/api/orgs"]["get"]["parameters"]} >= {
        "parent",
        "type",
        "q",
        "page",
        "page_size",
    }
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "cdn." not in docs.content.decode()


def test_move_to_another_township_is_404_and_moves_nothing(county, api, town_a_user):
    pk = county.village_a1.pk
    response = api(town_a_user, "patch", f"/orgs/{pk}", {"parent_id": county.town_b.pk})
    assert response.status_code == 404
    county.village_a1.refresh_from_db()
    assert county.village_a1.parent_id == county.town_a.pk


def test_history_masks_the_phone_for_township_staff(county, api, town_a_user, county_user):
    org_update(actor=SYSTEM, org=county.village_a1, data={"secretary_phone": "13812345678"})
    path = f"/orgs/{county.village_a1.pk}/history"
    masked = api(town_a_user, "get", path).json()["items"][0]
    assert masked["after"]["secretary_phone"] == "138****5678"
    assert masked["changes"][0]["after"] == "138****5678"
    assert "13812345678" not in str(api(town_a_user, "get", path).json())
    # Encrypted at rest, the phone is logged as its masked copy: no role reads it here.
    shown = api(county_user, "get", path).json()["items"][0]
    assert shown["after"]["secretary_phone"] == "138****5678"
    assert "13812345678" not in str(shown)


def test_paging_bounds(county, api, county_user):
    beyond = api(county_user, "get", "/orgs", {"page": 99}).json()
    assert beyond == {"items": [], "count": 7}
    # Huge numbers would overflow the database's 64-bit OFFSET / id: input errors, not 500s.
    huge = api(county_user, "get", "/orgs", {"page": 10**19})
    assert huge.status_code == 422 and huge.json()["errors"] == {"page": ["数值太大。"]}
    huge = api(county_user, "get", "/orgs", {"parent": 10**20})
    assert huge.status_code == 422 and huge.json()["errors"] == {"parent": ["数值太大。"]}
    assert api(county_user, "get", f"/orgs/{10**20}").status_code == 404


@pytest.mark.parametrize("path", ["/api/orgs/abc", "/api/nothing-here", "/api/orgs/1/nope"])
def test_unknown_api_urls_answer_json_404(county, client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"message": "未找到该对象。", "errors": {}}


@pytest.mark.parametrize(
    "body", ["{not json", "[1]", '"x"', "null", '{"name": "a\\u0000b"}', '{"name": "\\ud800"}']
)
def test_unusable_bodies_are_400_in_chinese_and_change_nothing(county, api, county_user, body):
    # A list or a number would otherwise pass as a PATCH with no fields (200, nothing done),
    # and a NUL character would be a 500 on PostgreSQL.
    response = api(county_user, "patch", f"/orgs/{county.village_a1.pk}", body)
    assert response.status_code == 400
    assert response.json() == {
        "message": "请求体无法解析：应为 UTF-8 编码的 JSON 对象，文字中不能含空字符（\\u0000）"
        "或单独的代理字符（\\ud800–\\udfff）。",
        "errors": {},
    }
    county.village_a1.refresh_from_db()
    assert county.village_a1.name == "李庄村党支部"


def test_nul_in_the_query_is_a_field_error(county, api, county_user):
    # PostgreSQL refuses NUL in any text comparison: without the check this is a 500 there.
    response = api(county_user, "get", "/orgs", {"q": "李\x00庄"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"q": ["不能包含空字符（\\u0000）。"]}


def test_bearer_calls_need_no_csrf_token(county, town_a_user):
    from django.test import Client

    from zuzhi.accounts.services import token_issue

    client = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=town_a_user)}"}
    created = client.post(
        "/api/orgs",
        {"parent_id": county.town_a.pk, "code": "CS1", "name": "新支部", "org_type": "branch"},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201
    patched = client.patch(
        f"/api/orgs/{created.json()['id']}",
        {"name": "改名支部"},
        content_type="application/json",
        **auth,
    )
    assert patched.status_code == 200 and patched.json()["name"] == "改名支部"


def test_a_session_cookie_is_not_an_api_credential(county, client_as, county_user):
    # Only bearer tokens authenticate: a browser session cannot be ridden by a cross-site
    # request, which is why the API needs no CSRF check.
    assert client_as(county_user).get("/api/orgs").status_code == 401


def test_unexpected_errors_answer_json_500(county, client, county_user, monkeypatch):
    from zuzhi.accounts.services import token_issue
    from zuzhi.orgs import selectors

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(selectors, "org_list", broken)
    client.raise_request_exception = False
    response = client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {token_issue(user=county_user)}")
    assert response.status_code == 500
    assert response.json() == {"message": "服务器内部错误，请稍后再试。", "errors": {}}


@pytest.mark.parametrize(
    "field", ["short_name", "secretary_name", "address", "division_code", "parent_id", "is_active"]
)
def test_patch_with_null_on_a_required_field_is_a_422(county, api, county_user, field):
    # Blank-allowed text columns are NOT NULL: a null reached the database as a 500.
    response = api(county_user, "patch", f"/orgs/{county.village_a1.pk}", {field: None})
    assert response.status_code == 422
    assert response.json()["errors"] == {field: ["不能为空值（null）。"]}
    ok = api(county_user, "patch", f"/orgs/{county.village_a1.pk}", {"founded_on": None})
    assert ok.status_code == 200


def test_a_long_search_text_is_an_input_error_not_a_500(county, api, county_user):
    # SQLite refuses a LIKE pattern past 50,000 bytes.
    response = api(county_user, "get", "/orgs", {"q": "x" * 60_000})
    assert response.status_code == 422 and response.json()["errors"] == {"q": ["内容过长。"]}


def test_a_founding_date_before_1900_is_refused(county, api, county_user):
    response = api(
        county_user, "patch", f"/orgs/{county.village_a1.pk}", {"founded_on": "0001-01-01"}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"founded_on": ["日期应在 1900 年至 2100 年之间。"]}


@pytest.mark.parametrize("value", [-1, 10_000, 2**40])
def test_a_sort_order_out_of_bounds_is_a_field_error(county, api, county_user, value):
    # 2**40 reached PostgreSQL's integer column and answered 500; a negative one was stored.
    response = api(county_user, "patch", f"/orgs/{county.village_a1.pk}", {"sort_order": value})
    assert response.status_code == 400
    assert response.json()["errors"] == {"sort_order": ["排序号应在 0 至 9999 之间。"]}
    ok = api(county_user, "patch", f"/orgs/{county.village_a1.pk}", {"sort_order": 9999})
    assert ok.status_code == 200
