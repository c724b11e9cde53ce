import datetime

from django.urls import reverse
from django.utils import timezone

from zuzhi.accounts.models import ApiToken
from zuzhi.accounts.services import token_issue
from zuzhi.core.models import AuditAction, AuditLog

EXPIRED = "密码已过期，请先登录网页修改密码。"


def post_token(client, username, password):
    return client.post(
        "/api/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def web_login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_token_then_bearer_call(client, county, town_a_user, password):
    response = post_token(client, town_a_user.username, password)
    assert response.status_code == 200
    token = response.json()["token"]
    listed = client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert listed.status_code == 200 and listed.json()["count"] == 3


def test_wrong_password_is_401_in_chinese(client, county, town_a_user):
    response = post_token(client, town_a_user.username, "wrong")
    assert response.status_code == 401
    assert response.json() == {"message": "用户名或密码错误。", "errors": {}}


def test_missing_fields_are_a_field_map(client, db):
    response = client.post("/api/auth/token", {"username": "x"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"] == {"password": ["必填。"]}


def test_five_failures_lock_the_api_and_then_the_login_page(client, county, town_a_user, password):
    for _ in range(5):
        assert post_token(client, town_a_user.username, "wrong").status_code == 401
    response = post_token(client, town_a_user.username, password)
    assert response.status_code == 429 and "锁定" in response.json()["message"]
    # Same counter: the page refuses the right password too.
    page = web_login(client, town_a_user.username, password)
    assert page.status_code == 200 and "锁定" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_on_the_page_count_for_the_api(client, county, town_a_user, password):
    for _ in range(3):
        post_token(client, town_a_user.username, "wrong")
    for _ in range(2):
        web_login(client, town_a_user.username, "wrong")
    response = post_token(client, town_a_user.username, password)
    assert response.status_code == 429 and "锁定" in response.json()["message"]


def test_four_failures_do_not_lock(client, county, town_a_user, password):
    for _ in range(4):
        post_token(client, town_a_user.username, "wrong")
    assert post_token(client, town_a_user.username, password).status_code == 200


def test_bad_or_expired_tokens_are_401(client, county, town_a_user):
    for header in ["Bearer nope", "Bearer ", "Basic dG93bl9hOng=", "nope"]:
        response = client.get("/api/orgs", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401 and "令牌" in response.json()["message"]
    token = token_issue(user=town_a_user)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_deactivated_user_token_stops_working(client, county, town_a_user):
    token = token_issue(user=town_a_user)
    town_a_user.is_active = False
    town_a_user.save()
    assert client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_expired_password_gets_no_token(client, county, town_a_user, password):
    town_a_user.password_changed_at = timezone.now() - datetime.timedelta(days=400)
    town_a_user.save()
    response = post_token(client, town_a_user.username, password)
    assert response.status_code == 401 and response.json()["message"] == EXPIRED


def test_token_stops_working_when_the_password_expires(client, county, town_a_user):
    # /api/ is exempt from the page middleware that sends expired passwords to the change form.
    token = token_issue(user=town_a_user)
    town_a_user.password_changed_at = timezone.now() - datetime.timedelta(days=400)
    town_a_user.save()
    response = client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401 and response.json()["message"] == EXPIRED


def test_api_logout_revokes_the_presented_token_only(client, county, town_a_user):
    first, second = token_issue(user=town_a_user), token_issue(user=town_a_user)
    response = client.post("/api/auth/logout", HTTP_AUTHORIZATION=f"Bearer {first}")
    assert response.status_code == 204
    assert client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 401
    assert client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 200
    row = AuditLog.objects.get(action=AuditAction.DELETE, actor=town_a_user)
    assert row.message == "退出接口登录，撤销令牌" and len(row.before["api_tokens"]) == 1


def test_api_logout_needs_a_valid_token(client, county):
    assert client.post("/api/auth/logout").status_code == 401
    assert client.post("/api/auth/logout", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_own_password_change_on_the_page_ends_api_tokens(client, county, town_a_user, password):
    token = token_issue(user=town_a_user)
    client.force_login(town_a_user)
    page = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password": "Tongbai2026shan",
            "new_password2": "Tongbai2026shan",
        },
    )
    assert page.status_code == 302
    assert client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert ApiToken.objects.filter(user=town_a_user).count() == 0
