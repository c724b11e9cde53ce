"""The API's error answers: always its Chinese JSON, never a 500 or Django's English page,
and always a status the OpenAPI schema declares for the operation."""

import json
import re

import pytest
from django.test import Client, override_settings

from zuzhi.accounts.services import token_issue
from zuzhi.api import api, error_statuses

ERROR_KEYS = {"message", "errors"}


def is_error_answer(response) -> bool:
    return response["Content-Type"].startswith("application/json") and (
        set(response.json()) == ERROR_KEYS
    )


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@pytest.fixture
def bearer(county_user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=county_user)}"}


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_lone_surrogate_in_the_token_request_is_a_400(county, anonymous, field):
    # json.loads accepts "\ud800"; no encoding can write it, so the database driver failed.
    body = json.dumps({"username": "county_staff", "password": "x"})
    body = body.replace(f'"{field}": "', f'"{field}": "\\ud800', 1)
    response = anonymous.post("/api/auth/token", body, content_type="application/json")
    assert response.status_code == 400 and is_error_answer(response)
    assert "单独的代理字符" in response.json()["message"]


def test_a_body_over_the_upload_limit_answers_the_api_json(county, anonymous):
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024 * 1024):
        response = anonymous.post(
            "/api/auth/token", b"x" * (2 * 1024 * 1024), content_type="application/json"
        )
    assert response.status_code == 400 and is_error_answer(response)
    assert response.json()["message"] == "请求体过大：除上传的文件外不能超过 1 MB。"


def upload_path() -> str:
    """An operation taking a form upload, whichever router holds it."""
    for path, _method, operation in operations():
        if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
            return re.sub(r"\{[^}]+\}", "1", path)
    raise AssertionError("no operation takes multipart/form-data")


@pytest.mark.parametrize("boundary", ["", "zz"])
def test_a_broken_multipart_body_answers_the_api_json(county, anonymous, bearer, boundary):
    response = anonymous.post(
        upload_path(),
        b"--zz\r\n" + b"x" * 20_000,
        content_type=f"multipart/form-data; boundary={boundary}",
        **bearer,
    )
    assert response.status_code in (400, 422) and is_error_answer(response)


@pytest.mark.parametrize(
    "path", ["/orgs/{}", "/members/{}", "/meetings/{}", "/recruitment/{}", "/appraisals/{}"]
)
def test_an_id_past_64_bits_in_the_path_is_not_found(county, anonymous, bearer, path):
    response = anonymous.get("/api" + path.format(10**20), **bearer)
    assert response.status_code == 404
    assert response.json() == {"message": "未找到该对象。", "errors": {}}


# --- the OpenAPI schema declares what the API answers -------------------------------------


def operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_declares_its_error_answers():
    schema = api.get_openapi_schema()
    assert set(schema["components"]["schemas"]["Error"]["required"]) == ERROR_KEYS
    seen = 0
    for path, method, operation in operations():
        seen += 1
        declared = set(operation["responses"])
        if operation.get("security"):
            assert 401 in declared, (method, path)
        if operation.get("parameters") or "requestBody" in operation:
            assert {400, 422} <= declared, (method, path)
        if "{" in path:
            assert 404 in declared, (method, path)
        for status in declared - {200, 201, 204}:
            if status >= 400 and status in error_statuses(path, method, operation):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}
    token = api.get_openapi_schema()["paths"]["/api/auth/token"]["post"]["responses"]
    assert {401, 429} <= set(token)
    assert seen > 60


def bad_requests(path, method, operation):
    """Requests a careless or hostile client sends: no token, ids that exist nowhere, bodies
    and query values of the wrong shape."""
    params = operation.get("parameters") or []
    has_body = "requestBody" in operation
    ids = {"0": "0", "huge": str(10**20), "absent": "987654"}
    for label, value in ids.items():
        url = re.sub(r"\{[^}]+\}", value, path)
        yield f"path {label}", url, None, {}
    url = re.sub(r"\{[^}]+\}", "987654", path)
    query = {p["name"]: "abc" for p in params if p["in"] == "query"}
    if query:
        yield "query abc", url, None, query
    if has_body or method != "get":
        for label, body in [("empty body", "{}"), ("list body", "[1]"), ("junk", '{"x": null}')]:
            yield label, url, body, {}


def test_bad_input_answers_only_declared_statuses(county, anonymous, bearer):
    undeclared = []
    for path, method, operation in operations():
        declared = {int(s) for s in operation["responses"]}
        for label, url, body, query in bad_requests(path, method, operation):
            for headers in ({}, bearer):
                if query:
                    url_q = url + "?" + "&".join(f"{k}={v}" for k, v in query.items())
                else:
                    url_q = url
                response = anonymous.generic(
                    method.upper(),
                    url_q,
                    body or "",
                    content_type="application/json",
                    **headers,
                )
                status = response.status_code
                if status < 300:
                    continue
                if status not in declared or not is_error_answer(response):
                    auth = "token" if headers else "anonymous"
                    undeclared.append(f"{method.upper()} {path} [{label}, {auth}] → {status}")
    assert undeclared == []


def test_no_two_api_schemas_share_a_name():
    # The OpenAPI components are keyed by class name: a second class of the same name silently
    # replaces the first, and an operation is then documented with another one's body.
    import importlib
    import pkgutil

    from ninja import Schema

    import zuzhi

    for module in pkgutil.walk_packages(zuzhi.__path__, "zuzhi."):
        if ".api" in module.name and ".tests" not in module.name:
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    seen: dict[str, str] = {}
    clashes = []
    for cls in subclasses(Schema):
        if not cls.__module__.startswith("zuzhi.") or "[" in cls.__name__:
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        if seen.setdefault(cls.__name__, where) != where:
            clashes.append((seen[cls.__name__], where))
    assert clashes == []
