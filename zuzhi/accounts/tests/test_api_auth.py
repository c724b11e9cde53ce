def post_token(client, username, password):
    return client.post(
        "/api/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_token_then_bearer_call(client, county, town_a_user, password):
    response = post_token(client, town_a_user.username, password)
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_wrong_password_is_401_in_chinese(client, county, town_a_user):
    response = post_token(client, town_a_user.username, "wrong")
    assert response.status_code == 401 and response.json()["message"] == "用户名或密码错误。"


def test_api_shares_the_lockout_with_the_login_page(client, county, town_a_user, password):
    from django.urls import reverse

    for _ in range(3):
        post_token(client, town_a_user.username, "wrong")
    for _ in range(2):
        client.post(
            reverse("accounts:login"), {"username": town_a_user.username, "password": "wrong"}
        )
    response = post_token(client, town_a_user.username, password)
    assert response.status_code == 429 and "锁定" in response.json()["message"]


def test_expired_password_gets_no_token(client, county, town_a_user, password):
    import datetime

    from django.utils import timezone

    town_a_user.password_changed_at = timezone.now() - datetime.timedelta(days=400)
    town_a_user.save()
    response = post_token(client, town_a_user.username, password)
    assert response.status_code == 401 and "过期" in response.json()["message"]
