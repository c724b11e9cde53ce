"""An authenticator app's secret is encrypted at rest: a copy of the database must not let
anyone make an account's codes."""

import base64
import binascii
import time

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP

from zuzhi.accounts import two_factor
from zuzhi.accounts.models import AuthenticatorApp
from zuzhi.core import crypto
from zuzhi.core.sealed_rows import sealed_rotate
from zuzhi.testing.factories import UserFactory

SECRET = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, in hex


def code_now(hex_key: str) -> str:
    totp = TOTP(binascii.unhexlify(hex_key), 30, 0, 6, 0)
    totp.time = time.time()
    return f"{totp.token():06d}"


def stored_key(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_authenticatorapp WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_a_bound_app_keeps_its_secret_encrypted_and_its_codes_work(db):
    user = UserFactory()
    device = two_factor.authenticator_start(user=user)
    secret = device.key
    two_factor.authenticator_confirm(user=user, device_id=device.pk, code=code_now(secret))
    stored = stored_key(device.pk)
    assert crypto.is_sealed(stored) and secret not in stored
    assert crypto.decrypt(stored, context="accounts_authenticatorapp.key") == secret
    # The binding page's text form of the secret is read back from the ciphertext.
    letters = two_factor.authenticator_secret(device=AuthenticatorApp.objects.get(pk=device.pk))
    assert letters.replace(" ", "") == base64.b32encode(binascii.unhexlify(secret)).decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone()[0] == 0


def test_a_verified_code_saves_the_device_still_sealed(db):
    user = UserFactory()
    device = AuthenticatorApp.objects.create(user=user, name="身份验证器", key=SECRET)
    assert AuthenticatorApp.objects.get(pk=device.pk).verify_token(code_now(SECRET))
    stored = stored_key(device.pk)
    assert crypto.is_sealed(stored) and SECRET not in stored
    assert AuthenticatorApp.objects.get(pk=device.pk).last_t > -1


def test_the_migration_moves_bound_apps_out_of_the_clear_table(transactional_db):
    user = UserFactory()
    executor = MigrationExecutor(connection)
    state = executor.migrate([("accounts", "0007_authenticator_app")])
    old = state.apps.get_model("otp_totp", "TOTPDevice").objects.create(
        user_id=user.pk, name="身份验证器", confirmed=True, key=SECRET, last_t=7, drift=1
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone()[0] == 0
    app = AuthenticatorApp.objects.get(user=user)
    assert (app.confirmed, app.last_t, app.drift, app.created_at) == (
        True,
        7,
        1,
        old.created_at,
    )
    assert SECRET not in stored_key(app.pk)
    assert app.key == SECRET


def test_a_session_verified_by_the_old_clear_device_asks_for_the_code_again(client, db):
    user = UserFactory()
    device = AuthenticatorApp.objects.create(user=user, name="身份验证器", key=SECRET)
    two_factor._enabled_set(user=user, enabled=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = "otp_totp.totpdevice/1"  # as the upgrade leaves a session
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login_verify"))
    assert AuthenticatorApp.objects.get(pk=device.pk).confirmed


def test_a_tampered_binding_form_shows_a_new_qr_code(client, db):
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("accounts:two_factor_setup"))
    response = client.post(
        reverse("accounts:two_factor_setup"), {"device": "abc", "code": "123456"}
    )
    assert response.status_code == 200
    assert "绑定页面已过期" in response.content.decode()


def test_key_rotation_re_encrypts_the_secrets_and_their_codes_still_work(db):
    index = base64.b64encode(b"i" * 32).decode()
    old = f"index:{index} old:{base64.b64encode(b'o' * 32).decode()}"
    new = f"index:{index} new:{base64.b64encode(b'n' * 32).decode()} " + old.split()[1]
    new_only = f"index:{index} new:{base64.b64encode(b'n' * 32).decode()}"
    with override_settings(ZUZHI_DATA_KEY=old):
        device = AuthenticatorApp.objects.create(user=UserFactory(), name="身份验证器", key=SECRET)
    with override_settings(ZUZHI_DATA_KEY=new):
        assert sealed_rotate().get("accounts.authenticatorapp") == 1
    assert stored_key(device.pk).startswith("aesgcm1:new:")
    with override_settings(ZUZHI_DATA_KEY=new_only):
        assert AuthenticatorApp.objects.get(pk=device.pk).verify_token(code_now(SECRET))
