"""A county staff member binds an authenticator app on a 375 px phone at the first login, then
logs in with the password and the app's code: the QR code is drawn, nothing scrolls sideways
and the Content-Security-Policy refuses nothing."""

import re
import time
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import expect

from zuzhi.core.roles import Role
from zuzhi.testing.factories import user_with_role

from .test_csp import WATCH
from .test_phone_layout import _overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret: str, steps_ahead: int = 0) -> str:
    """What the phone's authenticator shows for this secret, `steps_ahead` 30-second steps on
    (the server takes the next step's code too, for a phone whose clock runs a little fast)."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_binding_then_logging_in_with_the_code_on_a_phone(
    county, phone_page, live_server, password, settings
):
    settings.ZUZHI_OTP_REQUIRED_ROLES = ["county_staff"]
    user = user_with_role(Role.COUNTY_STAFF, county.county, username="zuzhibu")
    page = phone_page
    page.add_init_script(WATCH)
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{reverse('accounts:two_factor_setup')}")
    expect(page.locator(".qr svg")).to_be_visible()
    assert page.locator(".qr svg").bounding_box()["width"] <= 375
    assert _overflow(page) == []
    secret = page.locator("code").inner_text()

    page.fill("#id_code", app_code(secret))
    page.click("main button[type=submit]")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert _overflow(page) == []
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(f"{live_server.url}{reverse('home')}")

    page.click("button.menu-toggle")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/accounts/login/$"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/login/verify/"))
    page.fill("#id_code", app_code(secret, steps_ahead=1))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}{reverse('home')}")
    assert page.evaluate("window.__csp") == []
