"""Two-factor login (两步验证): binding an authenticator app, the code step of the login, every
refusal (wrong code, replayed code, no factor for a role that needs one, a token without the
factor), recovery codes, the lockout over both factors, and the reset a second
administrator approves."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import TOTP

from zuzhi import settings as production_settings
from zuzhi.accounts import two_factor
from zuzhi.accounts.models import AuthenticatorApp, LoginAttempt, RecoveryCode, TwoFactorReset
from zuzhi.accounts.selectors import two_factor_resets_to_decide
from zuzhi.accounts.services import LoginError, LoginLocked
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.testing.factories import user_with_role

REQUIRED = ["sysadmin", "auditor", "county_staff", "cadre_staff", "talent_staff"]


class Clock:
    """Time for the app and django-otp alike, moved one 30-second step at a time."""

    def __init__(self, monkeypatch):
        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)

    def step(self):
        self.now += 30


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def code_of(device, clock) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = clock.now
    return f"{totp.token():06d}"


def bind(user, clock) -> tuple[AuthenticatorApp, list[str]]:
    device = two_factor.authenticator_start(user=user)
    device, codes = two_factor.authenticator_confirm(
        user=user, device_id=device.pk, code=code_of(device, clock)
    )
    clock.step()
    return device, codes


def password_step(client, user, password, next_page=""):
    data = {"username": user.username, "password": password}
    if next_page:
        data["next"] = next_page
    return client.post(reverse("accounts:login"), data)


def code_step(client, code):
    return client.post(reverse("accounts:login_verify"), {"code": code})


def post_token(client, user, password, otp=None):
    body = {"username": user.username, "password": password}
    if otp is not None:
        body["otp"] = otp
    return client.post("/api/auth/token", body, content_type="application/json")


def test_the_production_default_requires_the_five_roles():
    assert sorted(production_settings.OTP_REQUIRED_BY_DEFAULT.split(",")) == sorted(REQUIRED)


def test_binding_shows_a_qr_code_once_then_confirms_with_a_code(client, county, town_a_user, clock):
    client.force_login(town_a_user)
    page = client.get(reverse("accounts:two_factor_setup"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "确认绑定" in html
    first = AuthenticatorApp.objects.get(user=town_a_user)
    assert not first.confirmed
    # Opening the page again draws a new secret: the QR code seen before is no good.
    client.get(reverse("accounts:two_factor_setup"))
    device = AuthenticatorApp.objects.get(user=town_a_user)
    assert device.pk != first.pk

    wrong = client.post(
        reverse("accounts:two_factor_setup"), {"device": device.pk, "code": "000000"}
    )
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    done = client.post(
        reverse("accounts:two_factor_setup"), {"device": device.pk, "code": code_of(device, clock)}
    )
    html = done.content.decode()
    device.refresh_from_db()
    assert device.confirmed and "只显示这一次" in html
    shown = [c for c in html.split("<code>")[1:]]
    assert len(shown) == two_factor.RECOVERY_CODE_COUNT
    # Only digests are stored: no code appears in the database.
    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert len(stored) == 10 and not any(c.split("<")[0] in stored for c in shown)
    assert AuditLog.objects.filter(message="启用两步验证", target_id=str(town_a_user.pk)).exists()
    # The session that bound the app counts as verified.
    assert client.get(reverse("home")).status_code == 200


def test_a_bound_account_logs_in_only_with_the_code(client, county, town_a_user, password, clock):
    device, _ = bind(town_a_user, clock)
    response = password_step(client, town_a_user, password, next_page="/members/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login_verify"))
    assert "_auth_user_id" not in client.session
    # Half logged in opens nothing.
    assert client.get(reverse("home")).status_code == 302

    wrong = code_step(client, "123456" if code_of(device, clock) != "123456" else "654321")
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED, message="验证码错误").exists()

    right = client.post(
        reverse("accounts:login_verify"), {"code": code_of(device, clock), "next": "/members/"}
    )
    assert right.status_code == 302 and right.url == "/members/"
    assert client.session["_auth_user_id"] == str(town_a_user.pk)
    login = AuditLog.objects.get(action=AuditAction.LOGIN)
    assert login.message == "密码＋验证器"


def test_a_replayed_code_is_refused(client, county, town_a_user, password, clock):
    device, _ = bind(town_a_user, clock)
    code = code_of(device, clock)
    password_step(client, town_a_user, password)
    assert code_step(client, code).status_code == 302
    client.logout()
    password_step(client, town_a_user, password)
    again = code_step(client, code)
    assert "已使用过" in again.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(message="验证码重复使用").exists()
    clock.step()
    assert code_step(client, code_of(device, clock)).status_code == 302


def test_a_recovery_code_works_once(client, county, town_a_user, password, clock):
    _, codes = bind(town_a_user, clock)
    password_step(client, town_a_user, password)
    assert code_step(client, codes[0].lower().replace("-", " ")).status_code == 302
    assert AuditLog.objects.filter(action=AuditAction.LOGIN, message="密码＋恢复码").exists()
    client.logout()
    password_step(client, town_a_user, password)
    assert "验证码不正确" in code_step(client, codes[0]).content.decode()
    assert code_step(client, codes[1]).status_code == 302


def test_the_lockout_counts_wrong_passwords_and_wrong_codes(
    client, county, town_a_user, password, clock
):
    device, _ = bind(town_a_user, clock)
    for _ in range(2):
        password_step(client, town_a_user, "wrong")
    for _ in range(3):
        password_step(client, town_a_user, password)  # a right password does not reset the count
        code_step(client, "000000" if code_of(device, clock) != "000000" else "111111")
    # Five failures in all: the right password and the right code are refused now.
    locked = password_step(client, town_a_user, password)
    assert "锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_code_step_is_locked_too(client, county, town_a_user, password, clock, settings):
    device, _ = bind(town_a_user, clock)
    password_step(client, town_a_user, password)
    for _ in range(settings.ZUZHI_LOCKOUT_FAILURES):
        code_step(client, "000000" if code_of(device, clock) != "000000" else "111111")
    locked = code_step(client, code_of(device, clock))
    assert "锁定" in locked.content.decode() and "_auth_user_id" not in client.session


def test_the_code_step_expires(client, county, town_a_user, password, clock, settings):
    device, _ = bind(town_a_user, clock)
    password_step(client, town_a_user, password)
    clock.now += settings.ZUZHI_OTP_PENDING_MINUTES * 60 + 1
    response = code_step(client, code_of(device, clock))
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", REQUIRED)
def test_a_role_that_needs_a_factor_binds_one_before_anything_else(client, county, role, settings):
    settings.ZUZHI_OTP_REQUIRED_ROLES = REQUIRED
    user = user_with_role(role, county.county)
    client.force_login(user)
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 302 and response.url == reverse("accounts:two_factor_setup")
    assert client.get(reverse("accounts:two_factor_setup")).status_code == 200


def test_other_roles_may_go_without(client, county, town_a_user, settings):
    settings.ZUZHI_OTP_REQUIRED_ROLES = REQUIRED
    client.force_login(town_a_user)
    assert client.get(reverse("accounts:me")).status_code == 200


def test_a_session_without_the_code_is_sent_to_the_code_step(client, county, town_a_user, clock):
    bind(town_a_user, clock)
    client.force_login(town_a_user)  # a session opened before the app was bound
    response = client.get("/members/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:login_verify") + "?next=%2Fmembers%2F"


def test_a_role_that_needs_the_factor_cannot_turn_it_off(client, county, clock, settings):
    settings.ZUZHI_OTP_REQUIRED_ROLES = REQUIRED
    user = user_with_role(Role.COUNTY_STAFF, county.county)
    device, _ = bind(user, clock)
    with pytest.raises(Exception, match="不能关闭"):
        two_factor.two_factor_disable(user=user, code=code_of(device, clock))
    assert AuthenticatorApp.objects.filter(user=user, confirmed=True).exists()


def test_an_optional_user_turns_it_off_with_a_code(county, town_a_user, clock):
    device, _ = bind(town_a_user, clock)
    two_factor.two_factor_disable(user=town_a_user, code=code_of(device, clock))
    assert not AuthenticatorApp.objects.filter(user=town_a_user).exists()


def test_api_token_needs_the_code(client, county, town_a_user, password, clock):
    device, _ = bind(town_a_user, clock)
    missing = post_token(client, town_a_user, password)
    assert missing.status_code == 401 and "otp" in missing.json()["message"]
    wrong = post_token(client, town_a_user, password, otp="000000")
    assert wrong.status_code == 401 and wrong.json()["message"] == two_factor.WRONG
    right = post_token(client, town_a_user, password, otp=code_of(device, clock))
    assert right.status_code == 200 and right.json()["token"]
    replay = post_token(client, town_a_user, password, otp=code_of(device, clock))
    assert replay.status_code == 401 and replay.json()["message"] == two_factor.REPLAYED


def test_api_token_refused_to_a_required_role_without_an_app(client, county, password, settings):
    settings.ZUZHI_OTP_REQUIRED_ROLES = REQUIRED
    user = user_with_role(Role.COUNTY_STAFF, county.county)
    response = post_token(client, user, password)
    assert response.status_code == 401 and "绑定身份验证器" in response.json()["message"]
    assert not user.api_tokens.exists()


def test_wrong_api_codes_count_towards_the_lockout(client, county, town_a_user, password, clock):
    device, _ = bind(town_a_user, clock)
    for _ in range(5):
        post_token(client, town_a_user, password, otp="000000")
    locked = post_token(client, town_a_user, password, otp=code_of(device, clock))
    assert locked.status_code == 429


def test_reset_needs_a_second_administrator(client, county, town_a_user, password, clock):
    sysadmin = user_with_role(Role.SYSTEM_ADMIN, county.county)
    auditor = user_with_role(Role.AUDIT_ADMIN, county.county)
    bind(town_a_user, clock)
    town_a_user.api_tokens.create(digest="x" * 64, expires_at="2999-01-01T00:00Z")
    client.force_login(sysadmin)
    client.post(
        reverse("accounts:two_factor_reset_request", args=[town_a_user.pk]), {"reason": "手机丢失"}
    )
    reset = TwoFactorReset.objects.get(user=town_a_user)
    # The one who asked cannot approve: the request is not theirs to see.
    own = client.post(reverse("accounts:two_factor_reset_approve", args=[reset.pk]))
    assert own.status_code == 404
    with pytest.raises(Exception, match="另一名管理员"):
        two_factor.reset_approve(actor=sysadmin, reset=reset)
    assert AuthenticatorApp.objects.filter(user=town_a_user).exists()
    # Nor the account's owner, nor anyone who is not an administrator.
    with pytest.raises(Exception, match="另一名管理员|只有系统管理员"):
        two_factor.reset_approve(actor=town_a_user, reset=reset)

    client.force_login(auditor)
    listed = client.get(reverse("accounts:two_factor_resets"))
    assert "手机丢失" in listed.content.decode()
    client.post(reverse("accounts:two_factor_reset_approve", args=[reset.pk]))
    reset.refresh_from_db()
    assert reset.status == "approved" and reset.decided_by == auditor
    assert not AuthenticatorApp.objects.filter(user=town_a_user).exists()
    assert not town_a_user.api_tokens.exists()
    assert AuditLog.objects.filter(message="申请重置两步验证", actor=sysadmin).exists()
    assert AuditLog.objects.filter(message__startswith="批准重置两步验证", actor=auditor).exists()
    # The account logs in with the password alone now, and binds a new app.
    client.logout()
    assert password_step(client, town_a_user, password).url == "/"


def test_reset_pages_are_for_administrators_only(client, county, town_a_user):
    client.force_login(town_a_user)
    assert client.get(reverse("accounts:two_factor_resets")).status_code == 404


def test_recovery_codes_renewed_with_a_code(county, town_a_user, clock):
    device, old = bind(town_a_user, clock)
    new = two_factor.recovery_codes_renew(user=town_a_user, code=code_of(device, clock))
    assert set(new).isdisjoint(old)
    recovery = two_factor.RecoveryCodeDevice.objects.get(user=town_a_user)
    assert not recovery.verify_token(old[0]) and recovery.verify_token(new[0])


def test_a_misspelt_required_role_stops_the_start(settings):
    from zuzhi.accounts.checks import two_factor_roles_check

    settings.ZUZHI_OTP_REQUIRED_ROLES = ["county-staff"]
    errors = two_factor_roles_check(None)
    assert [e.id for e in errors] == ["accounts.E001"] and "county-staff" in errors[0].msg
    settings.ZUZHI_OTP_REQUIRED_ROLES = REQUIRED
    assert two_factor_roles_check(None) == []


# What a second reading found: each of these was a way round the factor or a gap in it.


def test_a_session_without_the_code_cannot_bind_another_app(
    client, county, town_a_user, password, clock
):
    bind(town_a_user, clock)
    client.force_login(town_a_user)  # a session that never gave the code
    response = client.get(reverse("accounts:two_factor_setup"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login_verify"))
    assert client.get(reverse("accounts:password_change")).status_code == 302


def test_changing_the_app_needs_a_code_of_the_old_one(county, town_a_user, clock):
    old, codes = bind(town_a_user, clock)
    new = two_factor.authenticator_start(user=town_a_user)
    with pytest.raises(ValidationError) as refused:
        two_factor.authenticator_confirm(
            user=town_a_user, device_id=new.pk, code=code_of(new, clock), current_code="000000"
        )
    assert "current_code" in refused.value.message_dict
    assert AuthenticatorApp.objects.get(user=town_a_user, confirmed=True).pk == old.pk
    assert LoginAttempt.objects.filter(second_factor=True, succeeded=False).count() == 1
    # A recovery code proves it too, for a lost phone.
    device, _ = two_factor.authenticator_confirm(
        user=town_a_user, device_id=new.pk, code=code_of(new, clock), current_code=codes[0]
    )
    assert list(AuthenticatorApp.objects.filter(user=town_a_user)) == [device]


def test_wrong_codes_from_many_addresses_lock_the_code_step(county, town_a_user, clock, settings):
    device, _ = bind(town_a_user, clock)
    for i in range(settings.ZUZHI_LOCKOUT_CODE_FAILURES):
        with pytest.raises(LoginError):
            two_factor.second_factor_check(user=town_a_user, code="000000", ip=f"10.0.{i}.1")
    with pytest.raises(LoginLocked):
        two_factor.second_factor_check(
            user=town_a_user, code=code_of(device, clock), ip="192.168.1.1"
        )
    assert AuditLog.objects.filter(action=AuditAction.LOGIN_LOCKED).exists()


def test_renewing_and_turning_off_count_wrong_codes(county, town_a_user, clock, settings):
    bind(town_a_user, clock)
    for _ in range(settings.ZUZHI_LOCKOUT_FAILURES):
        with pytest.raises(ValidationError):
            two_factor.recovery_codes_renew(user=town_a_user, code="000000", ip="10.9.9.9")
    assert (
        LoginAttempt.objects.filter(second_factor=True).count() == settings.ZUZHI_LOCKOUT_FAILURES
    )
    with pytest.raises(ValidationError, match="锁定"):
        two_factor.two_factor_disable(user=town_a_user, code="000000", ip="10.9.9.9")


def test_renewed_codes_keep_a_recovery_code_session(client, county, town_a_user, password, clock):
    _, codes = bind(town_a_user, clock)
    password_step(client, town_a_user, password)
    code_step(client, codes[0])
    two_factor.recovery_codes_renew(user=town_a_user, code=codes[1])
    assert client.get(reverse("accounts:me")).status_code == 200


def test_a_reset_is_decided_within_the_administrators_subtree(county, town_a_user, clock):
    county_admin = user_with_role(Role.SYSTEM_ADMIN, county.county)
    town_b_admin = user_with_role(Role.SYSTEM_ADMIN, county.town_b)
    bind(town_a_user, clock)
    with pytest.raises(ValidationError, match="管理该账号"):
        two_factor.reset_request(actor=town_b_admin, user=town_a_user, reason="手机丢失")
    reset = two_factor.reset_request(actor=county_admin, user=town_a_user, reason="手机丢失")
    assert not two_factor_resets_to_decide(user=town_b_admin).exists()
    with pytest.raises(ValidationError, match="管理该账号"):
        two_factor.reset_approve(actor=town_b_admin, reset=reset)


def test_an_approved_reset_ends_the_accounts_sessions(client, county, town_a_user, password, clock):
    _, codes = bind(town_a_user, clock)
    password_step(client, town_a_user, password)
    code_step(client, codes[0])
    sysadmin = user_with_role(Role.SYSTEM_ADMIN, county.county)
    auditor = user_with_role(Role.AUDIT_ADMIN, county.county)
    reset = two_factor.reset_request(actor=sysadmin, user=town_a_user, reason="手机丢失")
    two_factor.reset_approve(actor=auditor, reset=reset)
    assert client.get(reverse("accounts:me")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_token_issued_on_the_password_alone_stops_when_an_app_is_bound(
    client, county, town_a_user, password, clock, settings
):
    token = post_token(client, town_a_user, password).json()["token"]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/orgs", **bearer).status_code == 200
    bind(town_a_user, clock)
    refused = client.get("/api/orgs", **bearer)
    assert refused.status_code == 401 and "otp" in refused.json()["message"]


def test_a_token_issued_on_the_password_alone_stops_when_the_role_needs_a_factor(
    client, county, town_a_user, password, settings
):
    token = post_token(client, town_a_user, password).json()["token"]
    settings.ZUZHI_OTP_REQUIRED_ROLES = ["township_staff"]
    refused = client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert refused.status_code == 401


def test_logging_in_over_another_users_session(
    client, county, town_a_user, town_b_user, password, clock
):
    device, _ = bind(town_a_user, clock)
    client.force_login(town_b_user)
    password_step(client, town_a_user, password)
    assert code_step(client, code_of(device, clock)).status_code == 302
    assert client.session["_auth_user_id"] == str(town_a_user.pk)
