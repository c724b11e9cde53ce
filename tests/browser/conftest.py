"""Playwright in Debian's Chromium against pytest-django's live server."""

import os
import shutil

import pytest
from django.urls import reverse

# Playwright's sync API runs an event loop in the test thread; the ORM calls in tests are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        # CI installs Chromium itself, so there a missing browser is a failure, never a skip.
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail("CI 环境缺少 /usr/bin/chromium（apt-get install chromium）。")
        pytest.skip("没有安装 Chromium（apt-get install chromium）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def code_tables(django_db_blocker):
    """The code tables the migrations load: an earlier transactional test's flush empties
    them, and members are checked against them."""
    from zuzhi.core.codes import code_tables_load
    from zuzhi.core.models import CodeItem

    with django_db_blocker.unblock():
        code_tables_load(CodeItem)


@pytest.fixture
def login(live_server, password):
    def _login(page, username):
        page.goto(f"{live_server.url}{reverse('accounts:login')}")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}{reverse('home')}")

    return _login
