import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zuzhi.accounts import services
from zuzhi.accounts.models import LoginAttempt
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.testing.factories import UserFactory


def fail(username, ip="10.0.0.1", times=1):
    for _ in range(times):
        with pytest.raises(services.LoginError):
            services.login_authenticate(username=username, password="wrong-Password1", ip=ip)


def test_sixth_attempt_is_refused_even_with_the_right_password(db, password):
    user = UserFactory(username="zhang")
    fail("zhang", times=5)
    with pytest.raises(services.LoginLocked) as exc:
        services.login_authenticate(username="zhang", password=password, ip="10.0.0.9")
    assert "锁定" in str(exc.value) and "30 分钟" in str(exc.value)
    assert AuditLog.objects.filter(action=AuditAction.LOGIN_LOCKED, actor_username="zhang").exists()
    assert user.is_active


def test_four_failures_still_allow_login(db, password):
    UserFactory(username="li")
    fail("li", times=4)
    assert (
        services.login_authenticate(username="li", password=password, ip="10.0.0.1").username
        == "li"
    )


def test_lock_ends_after_thirty_minutes(db, password):
    UserFactory(username="wang")
    fail("wang", times=5)
    LoginAttempt.objects.update(time=timezone.now() - datetime.timedelta(minutes=31))
    assert services.login_authenticate(username="wang", password=password, ip="10.0.0.1")


def test_lock_is_per_ip_across_accounts(db, password):
    UserFactory(username="zhao")
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        fail(name, ip="10.9.9.9")
    with pytest.raises(services.LoginLocked):
        services.login_authenticate(username="zhao", password=password, ip="10.9.9.9")
    assert services.login_authenticate(username="zhao", password=password, ip="10.9.9.10")


def test_success_and_failure_are_audited(db, password):
    user = UserFactory(username="sun")
    fail("sun")
    services.login_authenticate(username="sun", password=password, ip="10.0.0.1")
    actions = list(
        AuditLog.objects.filter(actor_username="sun")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.LOGIN_FAILED, AuditAction.LOGIN]
    assert AuditLog.objects.get(action=AuditAction.LOGIN).actor == user


@pytest.mark.parametrize(
    "pw,reason",
    [
        ("Short1!", "10"),
        ("alllowercaseletters", "三类"),
        ("ALLUPPER123456", "三类"),
        ("Zhangsan-12345", "用户名"),
    ],
)
def test_password_policy_refuses(db, pw, reason):
    user = UserFactory(username="zhangsan")
    with pytest.raises(ValidationError) as exc:
        services.password_change(user=user, new_password=pw)
    assert any(reason in m for m in exc.value.messages)


def test_password_policy_accepts_three_classes(db):
    user = UserFactory(username="zhangsan")
    services.password_change(user=user, new_password="Tongbai2026shan")
    user.refresh_from_db()
    assert user.check_password("Tongbai2026shan")
    assert AuditLog.objects.filter(action=AuditAction.PASSWORD_CHANGE, actor=user).count() == 1


def test_password_expiry(db, settings):
    user = UserFactory()
    settings.ZUZHI_PASSWORD_MAX_AGE_DAYS = 90
    user.password_changed_at = timezone.now() - datetime.timedelta(days=91)
    assert services.password_expired(user=user)
    user.password_changed_at = timezone.now() - datetime.timedelta(days=89)
    assert not services.password_expired(user=user)
    settings.ZUZHI_PASSWORD_MAX_AGE_DAYS = 0
    user.password_changed_at = timezone.now() - datetime.timedelta(days=9999)
    assert not services.password_expired(user=user)


def test_api_tokens_expire(db, settings):
    user = UserFactory()
    key = services.token_issue(user=user)
    assert services.token_user(key=key) == user
    assert services.token_user(key=key + "x") is None
    user.api_tokens.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert services.token_user(key=key) is None
