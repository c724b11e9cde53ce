"""The production server's short way in for public votes (contests.voting.fastvote, wrapped around
the WSGI application): the same answers as the API, and everything unusual left to Django."""

import io
import json
import time
from unittest import mock

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client, override_settings

from zuzhi.contests.models import StageKind, Vote
from zuzhi.contests.voting import services as voting
from zuzhi.wsgi import application

from .test_votes import member_contest, voter  # noqa: F401 - fixtures


def wsgi_call(path, body: bytes, *, keep_connection=True, **extra):
    """POST through zuzhi.wsgi.application as the WSGI server would: (status, headers, content)."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "10.9.8.7",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **extra,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    if not keep_connection:
        return _call(environ, start_response), answer
    # As Django's test client does: the test's database connection must outlive the request
    # (the short path recycles connections itself, Django through its signals).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with mock.patch("zuzhi.contests.voting.fastvote.close_old_connections", lambda: None):
            content = _call(environ, start_response)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content


def _call(environ, start_response) -> bytes:
    chunks = application(environ, start_response)
    content = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return content


def wsgi_post(path, body: bytes, *, token=None, host="testserver"):
    """The same, with the JSON of the answer when it is JSON."""
    extra = {"HTTP_HOST": host} | ({"HTTP_X_VOTER_TOKEN": token} if token else {})
    status, headers, content = wsgi_call(path, body, **extra)
    is_json = headers.get("Content-Type", "").startswith("application/json")
    return status, headers, json.loads(content) if is_json else content


def api_post(path, body: bytes, *, token=None):
    """The same request through Django and the API, for comparison."""
    headers = {"X-Voter-Token": token} if token else {}
    response = Client().post(path, body, content_type="application/json", headers=headers)
    return response.status_code, response.json()


@pytest.fixture
def vote_path(member_contest):  # noqa: F811
    contest, _ = member_contest
    return f"/api/public/contests/{contest.pk}/votes"


@pytest.fixture
def entrant(member_contest):  # noqa: F811
    return member_contest[0].entrants.order_by("number").first()


@pytest.fixture
def target(member_contest):  # noqa: F811
    contest, _ = member_contest
    return f"/api/public/contests/{contest.pk}/votes", contest.entrants.order_by("number")


def body(entrant_id) -> bytes:
    return json.dumps({"entrant_id": entrant_id}).encode()


def test_a_vote_is_recorded_once_with_the_security_headers(vote_path, entrant):
    token = voting.voter_token(voter(1))
    status, headers, data = wsgi_post(vote_path, body(entrant.pk), token=token)
    assert (status, data) == (201, {"message": "投票成功，谢谢参与！"})
    assert Vote.objects.filter(entrant=entrant, ip="10.9.8.7").count() == 1
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Content-Type"].startswith("application/json")


def test_kept_answers_carry_each_request_s_own_id(vote_path, entrant):
    """Answers are framed once and kept; the request id must still be each request's."""
    answers = [
        wsgi_post(vote_path, body(entrant.pk), token=voting.voter_token(voter(n))) for n in (11, 12)
    ]
    assert [status for status, _, _ in answers] == [201, 201]
    ids = [headers["X-Request-ID"] for _, headers, _ in answers]
    assert len(set(ids)) == 2 and all(len(i) == 32 for i in ids)


def test_refusals_read_exactly_as_the_api_s(member_contest, vote_path, entrant):  # noqa: F811
    token = voting.voter_token(voter(2))
    for _ in range(2):  # the per-entrant limit of the fixture is 2
        assert wsgi_post(vote_path, body(entrant.pk), token=token)[0] == 201
    short = wsgi_post(vote_path, body(entrant.pk), token=token)
    assert short[0] == 409
    assert (short[0], short[2]) == api_post(vote_path, body(entrant.pk), token=token)
    assert Vote.objects.count() == 2
    # No token, an unknown contest, an entrant of no contest: as the API answers them.
    for path, payload, with_token in (
        (vote_path, body(entrant.pk), None),
        ("/api/public/contests/999999/votes", body(entrant.pk), token),
        (vote_path, body(999999), token),
    ):
        token_used = token if with_token else None
        short = wsgi_post(path, payload, token=token_used)
        assert (short[0], short[2]) == api_post(path, payload, token=token_used)
        assert short[0] in (401, 404)
    assert Vote.objects.count() == 2


@pytest.mark.parametrize(
    "payload",
    [
        b"[1]",
        b'{"entrant_id": "1"}',
        b'{"entrant_id": true}',
        b'{"entrant_id": 1, "x": "\\u0000"}',
        b'{"entrant_id": 0}',
        b"{not json",
    ],
)
def test_unusual_bodies_get_django_s_own_answer(vote_path, payload):
    """Left to Django and the API's parser (which, for one, reads "1" and true as 1)."""
    token = voting.voter_token(voter(3))
    short = wsgi_post(vote_path, payload, token=token)
    assert (short[0], short[2]) == api_post(vote_path, payload, token=token)


def test_a_host_outside_allowed_hosts_is_refused_by_django(vote_path, entrant, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    token = voting.voter_token(voter(4))
    status, _, _ = wsgi_post(vote_path, body(entrant.pk), token=token, host="evil.example")
    assert status == 400
    assert Vote.objects.count() == 0


def test_other_requests_pass_through(member_contest):  # noqa: F811
    contest, _ = member_contest
    stage = contest.stages.get(kind=StageKind.PUBLIC_VOTE)
    path = f"/api/public/contests/{contest.pk}/codes"
    status, _, data = wsgi_post(path, json.dumps({"phone": "13912345678"}).encode())
    assert (status, data) == (200, {"message": "验证码已发送。"})
    assert stage.votes.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_connection_past_its_age_is_recycled(member_contest):  # noqa: F811
    """As Django's request signals would: the short path closes a database connection that
    is past its age (or broken) instead of voting on it."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("Django never closes an in-memory SQLite database")
    contest, _ = member_contest
    entrant = contest.entrants.order_by("number").first()
    connection.ensure_connection()
    old = connection.connection
    connection.close_at = time.monotonic() - 1
    token = voting.voter_token(voter(21))
    _, answer = wsgi_call(
        f"/api/public/contests/{contest.pk}/votes",
        body(entrant.pk),
        keep_connection=False,
        HTTP_X_VOTER_TOKEN=token,
    )
    assert answer["status"] == 201
    assert connection.connection is not old
    assert Vote.objects.filter(entrant=entrant).count() == 1


# The short path answers votes without Django's middleware, reproducing by hand what the
# security, clickjacking, common and locale middlewares would add (`fastvote._framed`).
SHORT_PATH_CHECKED_AGAINST = [
    "django.middleware.security.SecurityMiddleware",
    # Checked: the short path answers JSON only, which no browser renders as a document, so
    # a Content-Security-Policy header would govern nothing there.
    "zuzhi.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zuzhi.core.middleware.RequestContextMiddleware",
    "zuzhi.core.middleware.RefuseNulMiddleware",
    # Checked: a vote's answer is never marked public, so there is nothing for it to do.
    "zuzhi.core.middleware.PublicAnswerMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Checked: these four concern a logged-in browser (its session's browser binding, the
    # second factor, an expired password); a public vote has no login and no session.
    "zuzhi.accounts.middleware.SessionGuardMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zuzhi.accounts.middleware.PasswordExpiryMiddleware",
    "zuzhi.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def test_a_new_middleware_is_checked_against_the_voting_short_path():
    from django.conf import settings

    assert settings.MIDDLEWARE == SHORT_PATH_CHECKED_AGAINST, (
        "settings.MIDDLEWARE changed. Public votes do not pass through Django's middleware: "
        "zuzhi/contests/voting/fastvote.py answers them itself. Decide whether a vote's answer "
        "needs what the new or changed middleware does (a header, a check, a refusal), add it "
        "to the short path if so (with a test comparing its answer to the API's), then update "
        "SHORT_PATH_CHECKED_AGAINST here."
    )


def test_kept_answers_follow_a_settings_change(member_contest):  # noqa: F811
    """The kept frame carries X-Frame-Options and Content-Language read when it was first
    framed; Django's XFrameOptionsMiddleware reads X_FRAME_OPTIONS on every response, so
    after a settings change (override_settings in tests) the API and the short path answer
    a vote differently."""
    contest, _ = member_contest
    path = f"/api/public/contests/{contest.pk}/votes"
    first, second = contest.entrants.order_by("number")[:2]

    def vote(entrant, n):
        token = voting.voter_token(voter(n))
        body = json.dumps({"entrant_id": entrant.pk}).encode()
        return wsgi_call(path, body, HTTP_X_VOTER_TOKEN=token)

    status, headers, _ = vote(first, 51)
    assert (status, headers["X-Frame-Options"]) == (201, "DENY")
    with override_settings(X_FRAME_OPTIONS="SAMEORIGIN"):
        api = Client().post(
            path,
            json.dumps({"entrant_id": second.pk}).encode(),
            content_type="application/json",
            headers={"X-Voter-Token": voting.voter_token(voter(52))},
        )
        status, headers, _ = vote(second, 53)
    assert api.status_code == status == 201
    assert headers["X-Frame-Options"] == api.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_the_short_path_frames_its_answer_as_the_api_does(target):
    """Django's CommonMiddleware sets Content-Length and ninja answers
    'application/json; charset=utf-8'; the short path sent neither (a server then falls back
    to chunked encoding, or to closing the connection for an HTTP/1.0 client)."""
    path, entrants = target
    token = voting.voter_token(voter(5))
    status, headers, content = wsgi_call(path, body(entrants[0].pk), HTTP_X_VOTER_TOKEN=token)
    api = Client().post(
        path,
        body(entrants[1].pk),
        content_type="application/json",
        headers={"X-Voter-Token": token},
    )
    assert status == api.status_code == 201
    assert headers.get("Content-Length") == str(len(content))
    assert headers["Content-Type"] == api.headers["Content-Type"]


def test_a_nul_in_the_device_cookie_is_no_server_error(target):
    """Pre-existing, both ways in (and the public page): Django's cookie parser unquotes
    "\\000" into a NUL, the device goes into the statement unchecked, and PostgreSQL refuses
    NUL in text: DataError, a 500 with a logged traceback, for any client that sends
    Cookie: zuzhi_device="\\000". (SQLite stores it; the test passes there.)"""
    path, entrants = target
    token = voting.voter_token(voter(6))
    status, _, _ = wsgi_call(
        path,
        body(entrants[0].pk),
        HTTP_X_VOTER_TOKEN=token,
        HTTP_COOKIE='zuzhi_device="\\000abc"',
    )
    assert status == 201
    assert Vote.objects.count() == 1
