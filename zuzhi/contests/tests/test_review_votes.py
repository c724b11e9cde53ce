"""Found by a second review of the public-vote changes (single-statement vote,
contests.fastvote), each a test that failed then. Tests marked PostgreSQL-only are skipped on
SQLite."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from zuzhi.contests import services
from zuzhi.contests.models import Vote

from .test_fastvote import wsgi_call
from .test_votes import member_contest, voter  # noqa: F401 - fixtures

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's own behaviour"
)


def body(entrant_id) -> bytes:
    return json.dumps({"entrant_id": entrant_id}).encode()


@pytest.fixture
def target(member_contest):  # noqa: F811
    contest, _ = member_contest
    return f"/api/public/contests/{contest.pk}/votes", contest.entrants.order_by("number")


def test_the_short_path_frames_its_answer_as_the_api_does(target):
    """Django's CommonMiddleware sets Content-Length and ninja answers
    'application/json; charset=utf-8'; the short path sent neither (a server then falls back
    to chunked encoding, or to closing the connection for an HTTP/1.0 client)."""
    path, entrants = target
    token = services.voter_token(voter(5))
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
    token = services.voter_token(voter(6))
    status, _, _ = wsgi_call(
        path,
        body(entrants[0].pk),
        HTTP_X_VOTER_TOKEN=token,
        HTTP_COOKIE='zuzhi_device="\\000abc"',
    )
    assert status == 201
    assert Vote.objects.count() == 1


@postgresql_only
def test_migration_0004_drops_only_the_indexes(db):
    """AlterField(db_index=False) on a ForeignKey makes Django drop and re-create the foreign
    key constraint: ACCESS EXCLUSIVE on contests_vote/contests_votequota (and a lock on
    contests_stage) until the migration commits, and a full re-validation scan of the vote
    ledger, during what may be a live vote. Dropping the two indexes needs only DROP INDEX
    (SeparateDatabaseAndState + RunSQL, CONCURRENTLY outside a transaction if wanted)."""
    out = io.StringIO()
    call_command("sqlmigrate", "contests", "0004", stdout=out)
    assert "DROP CONSTRAINT" not in out.getvalue()
