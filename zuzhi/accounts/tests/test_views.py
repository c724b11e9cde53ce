import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.testing.factories import UserFactory


def post_login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_page_is_chinese_and_has_csrf(client, db):
    page = client.get(reverse("accounts:login"))
    body = page.content.decode()
    assert "登录" in body and "csrfmiddlewaretoken" in body and 'lang="zh-CN"' in body


def test_wrong_password_shows_chinese_error(client, db):
    UserFactory(username="zhou")
    page = post_login(client, "zhou", "nope")
    assert page.status_code == 200
    assert "用户名或密码错误" in page.content.decode()


def test_page_lockout_message(client, db, password):
    UserFactory(username="wu")
    for _ in range(5):
        post_login(client, "wu", "nope")
    page = post_login(client, "wu", password)
    assert "已锁定" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_then_logout_is_audited(client, db, password):
    user = UserFactory(username="zheng")
    assert post_login(client, "zheng", password).status_code == 302
    client.post(reverse("accounts:logout"))
    actions = list(
        AuditLog.objects.filter(actor=user).order_by("id").values_list("action", flat=True)
    )
    assert actions == [AuditAction.LOGIN, AuditAction.LOGOUT]


def test_open_redirect_is_refused(client, db, password):
    UserFactory(username="feng")
    page = client.post(
        reverse("accounts:login") + "?next=https://evil.example.com/",
        {"username": "feng", "password": password, "next": "https://evil.example.com/"},
    )
    assert page["Location"] == "/"


def test_expired_password_forces_change(client, db):
    user = UserFactory()
    user.password_changed_at = timezone.now() - datetime.timedelta(days=365)
    user.save()
    client.force_login(user)
    page = client.get(reverse("home"))
    assert page.status_code == 302 and reverse("accounts:password_change") in page["Location"]


def test_pages_require_login(client, db):
    page = client.get(reverse("home"))
    assert page.status_code == 302 and reverse("accounts:login") in page["Location"]


def test_idle_session_timeout_is_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_expired_password_also_blocks_account_management(client, county, sysadmin_user):
    sysadmin_user.password_changed_at = timezone.now() - datetime.timedelta(days=365)
    sysadmin_user.save()
    client.force_login(sysadmin_user)
    page = client.get(reverse("accounts:account_list"))
    assert page.status_code == 302 and reverse("accounts:password_change") in page["Location"]
    assert client.get(reverse("accounts:password_change")).status_code == 200
