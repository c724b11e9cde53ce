import datetime
import re

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
        services.login_authenticate(username="zhang", password=password, ip="10.0.0.1")
    assert "该账号" in str(exc.value) and "临时锁定 30 分钟" in str(exc.value)
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


def test_colleague_behind_the_same_address_still_logs_in(db, password):
    # One clerk mistyping five times in a township office locks only their own name there.
    UserFactory(username="zhao")
    UserFactory(username="qian")
    fail("qian", ip="10.9.9.9", times=5)
    assert services.login_authenticate(username="zhao", password=password, ip="10.9.9.9")
    with pytest.raises(services.LoginLocked):
        services.login_authenticate(username="qian", password=password, ip="10.9.9.9")


def test_guessing_many_names_from_one_address_still_counts_per_name(db, password):
    UserFactory(username="zhao")
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        fail(name, ip="10.9.9.9")
    assert services.login_authenticate(username="zhao", password=password, ip="10.9.9.9")


def test_a_success_resets_the_count_for_that_name_and_address(db, password):
    UserFactory(username="chu")
    fail("chu", ip="10.9.9.9", times=4)
    assert services.login_authenticate(username="chu", password=password, ip="10.9.9.9")
    fail("chu", ip="10.9.9.9", times=4)
    assert services.login_authenticate(username="chu", password=password, ip="10.9.9.9")


def test_address_ceiling_pauses_every_name_from_that_address(db, password, settings):
    settings.ZUZHI_LOCKOUT_IP_FAILURES = 12
    UserFactory(username="zhao")
    for n in range(12):
        fail(f"guess{n % 4}", ip="10.9.9.9")  # 3 per name: no name is locked by itself
    with pytest.raises(services.LoginLocked) as exc:
        services.login_authenticate(username="zhao", password=password, ip="10.9.9.9")
    assert "网络地址" in str(exc.value) and "该账号" not in str(exc.value)
    # Another address is not affected, and a success behind the locked one does not lift it.
    assert services.login_authenticate(username="zhao", password=password, ip="10.9.9.10")
    with pytest.raises(services.LoginLocked):
        services.login_authenticate(username="zhao", password=password, ip="10.9.9.9")


def test_address_ceiling_ends_after_the_window(db, password, settings):
    settings.ZUZHI_LOCKOUT_IP_FAILURES = 6
    UserFactory(username="zhao")
    for n in range(6):
        fail(f"guess{n % 3}", ip="10.9.9.9")
    LoginAttempt.objects.update(time=timezone.now() - datetime.timedelta(minutes=31))
    assert services.login_authenticate(username="zhao", password=password, ip="10.9.9.9")


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
        ("Short1!", "密码太短，至少需要 10 个字符"),
        ("password123456", "常见"),
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
    # Every message is the user's language: no English sentence from Django's validators.
    assert not any(re.search(r"[A-Za-z]{4,}", m) for m in exc.value.messages)


def test_similar_to_username_is_refused_in_chinese(db):
    user = UserFactory(username="wangxiaoming")
    with pytest.raises(ValidationError) as exc:
        services.password_change(user=user, new_password="Wangxiaomin9")
    assert "过于相似" in " ".join(exc.value.messages)


def test_new_password_differs_from_current_and_last_five(db, password):
    user = UserFactory(username="hou")
    used = [f"Tongbai-2026-{n}x" for n in range(6)]
    for pw in used:
        services.password_change(user=user, new_password=pw)
    # Current: used[5]; the last five before it: used[0..4]; and the factory's first password
    # has dropped out of the history.
    for pw in used:
        with pytest.raises(ValidationError) as exc:
            services.password_change(user=user, new_password=pw)
        assert any("不能与" in m for m in exc.value.messages)
    assert user.password_history.count() == 5
    services.password_change(user=user, new_password=password)
    user.refresh_from_db()
    assert user.check_password(password)


def test_administrator_reset_also_refuses_a_recent_password(db, county, sysadmin_user, password):
    user = UserFactory(username="yan")
    services.password_change(user=user, new_password="Tongbai-2026-a")
    with pytest.raises(ValidationError):
        services.account_reset_password(actor=sysadmin_user, user=user, new_password=password)
    services.account_reset_password(actor=sysadmin_user, user=user, new_password="Reset-2026-b")
    # The user must change the administrator's password, to one of their own.
    with pytest.raises(ValidationError):
        services.password_change(user=user, new_password="Reset-2026-b")


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
    user.password_changed_at = timezone.now() - datetime.timedelta(days=1000)
    assert not services.password_expired(user=user)


def test_api_tokens_expire(db, settings):
    user = UserFactory()
    key = services.token_issue(user=user)
    assert services.token_user(key=key) == user
    assert services.token_user(key=key + "x") is None
    user.api_tokens.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert services.token_user(key=key) is None


def test_password_change_revokes_every_api_token(db):
    user = UserFactory(username="ma")
    keys = [services.token_issue(user=user) for _ in range(2)]
    services.password_change(user=user, new_password="Tongbai2026shan")
    assert [services.token_user(key=k) for k in keys] == [None, None]
    row = AuditLog.objects.get(action=AuditAction.PASSWORD_CHANGE, actor=user)
    assert row.after == {"api_tokens_revoked": 2}


def test_administrator_reset_revokes_every_api_token(db, county, sysadmin_user):
    user = UserFactory(username="niu")
    key = services.token_issue(user=user)
    services.account_reset_password(actor=sysadmin_user, user=user, new_password="Reset-2026-b")
    assert services.token_user(key=key) is None
