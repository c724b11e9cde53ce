"""An account's sessions (会话): listed and ended by their owner, bound to the browser that
logged in, and a login from a new network marked in the owner's login history."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zuzhi.accounts.models import LoginSession, SessionEnd
from zuzhi.accounts.sessions import network_of
from zuzhi.core.models import AuditAction, AuditLog

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
WECHAT = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 MicroMessenger/8.0"


@pytest.fixture
def client_factory():
    """Another browser."""
    return Client


def log_in(client, user, password, *, agent=FIREFOX, ip="10.1.2.3"):
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": password},
        HTTP_USER_AGENT=agent,
        REMOTE_ADDR=ip,
    )
    assert response.status_code == 302, response.content.decode()
    return response


def test_each_login_is_a_session_listed_on_my_account(client, county, town_a_user, password):
    log_in(client, town_a_user, password)
    row = LoginSession.objects.get(user=town_a_user)
    assert row.session_key == client.session.session_key
    assert row.ip == "10.1.2.3" and row.network == "10.1.2.0/24" and row.user_agent == FIREFOX
    page = client.get(reverse("accounts:me"), HTTP_USER_AGENT=FIREFOX)
    html = page.content.decode()
    assert "当前会话" in html and "Firefox · Windows" in html and "本浏览器" in html


def test_ending_another_session_logs_that_browser_out(
    client, client_factory, county, town_a_user, password
):
    phone = client_factory()
    log_in(phone, town_a_user, password, agent=WECHAT, ip="10.1.2.9")
    log_in(client, town_a_user, password)
    other = LoginSession.objects.get(user=town_a_user, user_agent=WECHAT)
    assert (
        "微信 · Android"
        in client.get(reverse("accounts:me"), HTTP_USER_AGENT=FIREFOX).content.decode()
    )

    client.post(reverse("accounts:session_revoke", args=[other.pk]), HTTP_USER_AGENT=FIREFOX)
    other.refresh_from_db()
    assert other.ended_at is not None and other.end_reason == SessionEnd.REVOKED
    assert other.session_key is None
    assert phone.get(reverse("home"), HTTP_USER_AGENT=WECHAT).status_code == 302
    assert client.get(reverse("home"), HTTP_USER_AGENT=FIREFOX).status_code == 200
    assert AuditLog.objects.filter(message="被撤销", actor=town_a_user).exists()


def test_end_all_other_sessions(client, client_factory, county, town_a_user, password):
    others = [client_factory() for _ in range(2)]
    for c in others:
        log_in(c, town_a_user, password, agent=WECHAT)
    log_in(client, town_a_user, password)
    client.post(reverse("accounts:sessions_revoke_others"), HTTP_USER_AGENT=FIREFOX)
    for c in others:
        assert c.get(reverse("home"), HTTP_USER_AGENT=WECHAT).status_code == 302
    assert client.get(reverse("home"), HTTP_USER_AGENT=FIREFOX).status_code == 200


def test_nobody_ends_another_users_session(
    client, client_factory, county, town_a_user, town_b_user, password
):
    victim = client_factory()
    log_in(victim, town_b_user, password)
    theirs = LoginSession.objects.get(user=town_b_user)
    log_in(client, town_a_user, password)
    response = client.post(
        reverse("accounts:session_revoke", args=[theirs.pk]), HTTP_USER_AGENT=FIREFOX
    )
    assert response.status_code in (403, 404)
    theirs.refresh_from_db()
    assert theirs.ended_at is None
    assert victim.get(reverse("home"), HTTP_USER_AGENT=FIREFOX).status_code == 200
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=town_a_user).exists()


def test_a_session_is_bound_to_its_browser(client, county, town_a_user, password):
    log_in(client, town_a_user, password)
    key = client.session.session_key
    # The same cookie from another browser: the session ends and the thief is sent to log in.
    stolen = client.get(reverse("home"), HTTP_USER_AGENT=WECHAT)
    assert stolen.status_code == 302 and stolen.url == reverse("accounts:login") + "?ended=agent"
    assert not Session.objects.filter(session_key=key).exists()
    row = LoginSession.objects.get(user=town_a_user)
    assert row.end_reason == SessionEnd.AGENT_CHANGED
    # Nor can the browser that logged in go on with it.
    assert client.get(reverse("home"), HTTP_USER_AGENT=FIREFOX).status_code == 302
    assert "强制退出" in client.get(stolen.url).content.decode()


def test_a_login_from_a_new_network_is_marked(
    client, client_factory, county, town_a_user, password
):
    log_in(client, town_a_user, password, ip="10.1.2.3")
    log_in(client_factory(), town_a_user, password, ip="10.1.2.77")  # same office network
    log_in(client_factory(), town_a_user, password, ip="172.16.5.4")
    rows = list(LoginSession.objects.filter(user=town_a_user).order_by("started_at", "pk"))
    assert [r.new_network for r in rows] == [False, False, True]
    assert AuditLog.objects.filter(message="从新的网络登录：172.16.5.0/24").count() == 1
    html = client.get(reverse("accounts:me"), HTTP_USER_AGENT=FIREFOX).content.decode()
    assert "登录记录" in html and html.count("新网络</span>") == 1


def test_logout_ends_the_session_in_the_history(client, county, town_a_user, password):
    log_in(client, town_a_user, password)
    client.post(reverse("accounts:logout"), HTTP_USER_AGENT=FIREFOX)
    row = LoginSession.objects.get(user=town_a_user)
    assert row.end_reason == SessionEnd.LOGOUT and row.session_key is None


def test_an_idle_session_is_no_longer_listed(client, county, town_a_user, password):
    from zuzhi.accounts.selectors import sessions_active

    log_in(client, town_a_user, password)
    LoginSession.objects.update(last_seen_at=timezone.now() - datetime.timedelta(hours=1))
    assert not sessions_active(user=town_a_user).exists()


def test_networks():
    assert network_of("192.168.10.200") == "192.168.10.0/24"
    assert network_of("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert network_of(None) == "" and network_of("not an address") == ""


def test_a_session_still_ends_after_its_password_was_changed(
    client, client_factory, county, town_a_user, password
):
    log_in(client, town_a_user, password)
    new_password = "Neu-Passw0rt-2026!"
    client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password": new_password, "new_password2": new_password},
        HTTP_USER_AGENT=FIREFOX,
    )
    assert LoginSession.objects.get(user=town_a_user).session_key == client.session.session_key
    other = client_factory()
    log_in(other, town_a_user, new_password, agent=WECHAT)
    other.post(reverse("accounts:sessions_revoke_others"), HTTP_USER_AGENT=WECHAT)
    assert client.get(reverse("accounts:me"), HTTP_USER_AGENT=FIREFOX).status_code == 302


def test_the_current_session_is_ended_by_logging_out(client, county, town_a_user, password):
    log_in(client, town_a_user, password)
    mine = LoginSession.objects.get(user=town_a_user)
    response = client.post(
        reverse("accounts:session_revoke", args=[mine.pk]), HTTP_USER_AGENT=FIREFOX, follow=True
    )
    assert response.status_code == 200 and "请用“退出”结束" in response.content.decode()
    mine.refresh_from_db()
    assert mine.ended_at is None


def test_deactivating_an_account_ends_its_sessions(client, county, town_a_user, password):
    from zuzhi.accounts.services import account_set_active
    from zuzhi.core.roles import Role
    from zuzhi.testing.factories import user_with_role

    log_in(client, town_a_user, password)
    admin = user_with_role(Role.SYSTEM_ADMIN, county.county)
    account_set_active(actor=admin, user=town_a_user, active=False)
    row = LoginSession.objects.get(user=town_a_user)
    assert row.end_reason == SessionEnd.REVOKED and row.session_key is None
