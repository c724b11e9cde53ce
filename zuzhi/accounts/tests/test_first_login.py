"""First login with the password the system administrator set (首次登录): the user is sent to
choose their own, told why, may not keep the administrator's, and reads every refusal in
Chinese."""

import re

import pytest
from django.urls import reverse

from zuzhi.accounts import services

INITIAL = "Chushi#2026a"


@pytest.fixture
def newcomer(sysadmin_user):
    return services.account_create(
        actor=sysadmin_user, username="xiaoli", full_name="小李", password=INITIAL
    )


def _change(client, new, old=INITIAL, again=None):
    page = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": old,
            "new_password": new,
            "new_password2": new if again is None else again,
        },
    )
    return page, re.findall(r"<li>(.*?)</li>", page.content.decode())


def test_first_login_asks_for_a_new_password_not_an_expired_one(client, newcomer, settings):
    # Even where passwords never expire, the administrator's one must be replaced.
    settings.ZUZHI_PASSWORD_MAX_AGE_DAYS = 0
    client.force_login(newcomer)
    page = client.get(reverse("home"), follow=True)
    body = page.content.decode()
    assert page.redirect_chain[-1][0] == reverse("accounts:password_change")
    assert "首次登录请修改密码" in body and "已过期" not in body


def test_the_administrators_password_cannot_be_kept(client, newcomer):
    client.force_login(newcomer)
    page, errors = _change(client, INITIAL)
    assert page.status_code == 200
    assert "新密码不能与管理员设置的初始密码相同。" in errors
    page, _ = _change(client, "Ziji#Mima2026")
    assert page.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.check_password("Ziji#Mima2026")
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    "new, again, old",
    [
        ("", None, INITIAL),
        ("short", None, INITIAL),
        ("xiaoli12345", None, INITIAL),
        ("password123", None, INITIAL),
        ("abcdefghijkl", None, INITIAL),
        ("Ziji#Mima2026", "Ziji#Mima2027", INITIAL),
        ("Ziji#Mima2026", None, "wrong"),
        ("x" * 5000, None, INITIAL),
    ],
)
def test_every_password_message_is_chinese(client, newcomer, new, again, old):
    client.force_login(newcomer)
    page, errors = _change(client, new, old=old, again=again)
    assert page.status_code == 200 and errors
    for message in errors:
        assert re.search(r"[\u4e00-\u9fff]", message), message
        assert not re.search(r"[A-Za-z]{3,}", message), message


def test_the_api_says_first_login_too(client, newcomer):
    response = client.post(
        "/api/auth/token",
        {"username": "xiaoli", "password": INITIAL},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["message"].startswith("首次登录请先在网页上修改密码")
