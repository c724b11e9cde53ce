"""The README's production command, run for real: granian serving zuzhi.wsgi with the
production settings (DEBUG off) on loopback. It checks what only a real server shows: a login
with its session and CSRF cookies, a public vote answered by the short path and written to the
ledger, the daily limit, and a malformed vote handed on to Django's API."""

import base64
import http.cookiejar
import json
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from zuzhi.contests.voting.services import VOTE_THANKS

BIN = Path(sys.executable).parent

SETUP = """
import django
django.setup()
from decimal import Decimal
from zuzhi.accounts.models import RoleAssignment, User
from zuzhi.contests import services
from zuzhi.contests.voting.services import Voter, voter_token
from zuzhi.core.roles import Role
from zuzhi.core.scope import path_segment
from zuzhi.orgs.models import Organization
county = Organization.objects.create(code="C", name="县委", org_type="county_committee",
    unit_category="county", path="tmp", depth=1)
county.path = path_segment(county.pk); county.save()
village = Organization.objects.create(code="V1", name="一村", org_type="branch",
    unit_category="village", parent=county, path="tmp", depth=2)
village.path = county.path + path_segment(village.pk); village.save()
user = User.objects.create_user(username="county", password="Zuzhi-2026-pass")
RoleAssignment.objects.create(user=user, role=Role.COUNTY_STAFF, organization=county)
contest = services.contest_create(actor=user, organization=county,
    data={"name": "投票", "track": "village", "period_label": "2026"},
    stages=[{"kind": "public_vote", "name": "群众投票", "weight": Decimal(100), "votes_per_day": 1}])
services.entrants_add_eligible(actor=user, contest=contest)
services.contest_start(actor=user, contest=contest)
voter = Voter(phone_digest="server-test", phone_tail="0001")
print(contest.pk, contest.entrants.get().pk, voter_token(voter))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("production")
    database = tmp / "zuzhi.sqlite3"
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "zuzhi.settings",
        "ZUZHI_DEBUG": "0",
        "ZUZHI_SECRET_KEY": secrets.token_urlsafe(50),
        # Production refuses to start without the data key (core.crypto).
        "ZUZHI_DATA_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "ZUZHI_ALLOWED_HOSTS": "127.0.0.1",
        "ZUZHI_HTTPS": "0",  # plain HTTP on loopback; TLS is nginx's
        "ZUZHI_VAR_DIR": str(tmp),
        "ZUZHI_DATABASE_URL": f"sqlite:///{database}",
    }
    subprocess.run([BIN / "zuzhi", "migrate", "-v0"], env=env, check=True)
    made = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, check=True, capture_output=True, text=True
    )
    contest, entrant, token = made.stdout.split()
    port = _free_port()
    process = subprocess.Popen(
        # As in the README, with one worker: the test needs no more.
        [BIN / "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", "1", "--blocking-threads", "4", "--log-level", "warning"]
        + ["zuzhi.wsgi:application"],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("granian did not start listening within 10 s")
        yield {
            "url": f"http://127.0.0.1:{port}",
            "contest": contest,
            "entrant": int(entrant),
            "token": token,
            "database": database,
        }
    finally:
        process.terminate()
        process.wait(timeout=30)


def _vote(server, body: bytes, token: str | None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Voter-Token"] = token
    request = urllib.request.Request(
        f"{server['url']}/api/public/contests/{server['contest']}/votes",
        data=body,
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


def _ledger(server) -> int:
    with sqlite3.connect(server["database"]) as db:
        return db.execute("SELECT COUNT(*) FROM contests_vote").fetchone()[0]


def test_a_vote_is_recorded_once_and_the_daily_limit_holds(server):
    body = json.dumps({"entrant_id": server["entrant"]}).encode()
    status, headers, answer = _vote(server, body, server["token"])
    assert status == 201, answer
    assert answer["message"] == VOTE_THANKS
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, _, answer = _vote(server, body, server["token"])
    assert status == 409
    assert "每人每天限投 1 票" in answer["message"]
    status, _, answer = _vote(server, body, None)
    assert status == 401
    assert _ledger(server) == 1


def test_a_malformed_vote_is_answered_by_the_api(server):
    before = _ledger(server)
    status, _, answer = _vote(server, b'{"entrant_id": "x", "more": 1}', server["token"])
    assert status == 422
    assert answer["errors"]["entrant_id"]
    assert _ledger(server) == before


def test_login_keeps_a_session_through_the_server(server):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{server['url']}/accounts/login/", timeout=10).read().decode()
    assert "登录" in page
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = {"csrfmiddlewaretoken": csrf, "username": "county", "password": "Zuzhi-2026-pass"}
    request = urllib.request.Request(
        f"{server['url']}/accounts/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{server['url']}/accounts/login/"},
    )
    with opener.open(request, timeout=10) as response:
        # Signed in, and held at binding an authenticator app: production asks it of county
        # staff before any page (ZUZHI_OTP_REQUIRED_ROLES), and only a session opens it.
        assert response.url == f"{server['url']}/accounts/2fa/setup/"
        assert response.status == 200
    assert any(cookie.name == "sessionid" for cookie in jar)
