import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from zuzhi.accounts.models import ApiToken
from zuzhi.accounts.services import token_issue, token_user
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
    assert "已临时锁定" in page.content.decode()
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


def test_my_account_page_lists_and_revokes_my_tokens(client, county, town_a_user, town_b_user):
    mine = [token_issue(user=town_a_user) for _ in range(2)]
    theirs = token_issue(user=town_b_user)
    client.force_login(town_a_user)
    page = client.get(reverse("accounts:me")).content.decode()
    assert "接口令牌" in page and page.count("撤销</button>") == 2
    first = ApiToken.objects.filter(user=town_a_user).order_by("created_at").first()
    client.post(reverse("accounts:token_revoke", args=[first.pk]))
    assert ApiToken.objects.filter(user=town_a_user).count() == 1
    # Another user's token is not mine to revoke: not found, and the attempt is logged.
    other = ApiToken.objects.get(user=town_b_user)
    assert client.post(reverse("accounts:token_revoke", args=[other.pk])).status_code == 404
    assert token_user(key=theirs) == town_b_user
    assert AuditLog.objects.filter(
        action=AuditAction.PERMISSION_DENIED, actor=town_a_user, target_type="accounts.apitoken"
    ).exists()
    client.post(reverse("accounts:token_revoke_all"))
    assert [token_user(key=k) for k in mine] == [None, None]
    assert AuditLog.objects.filter(action=AuditAction.DELETE, actor=town_a_user).count() == 2


def test_web_logout_leaves_api_tokens_alone(client, county, town_a_user):
    # A token belongs to a script or device, not to the browser session.
    key = token_issue(user=town_a_user)
    client.force_login(town_a_user)
    client.post(reverse("accounts:logout"))
    assert token_user(key=key) == town_a_user
