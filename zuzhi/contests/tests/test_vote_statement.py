"""The vote's SQL statement: prepared once per connection on PostgreSQL
(core.db.fetch_one_prepared), refusals that do not pile up prepared statements, psycopg keeping
no Django query, and the migration that shaped the vote tables' indexes. PostgreSQL-only tests
are skipped on SQLite."""

import io

import pytest
from django.core.management import call_command
from django.db import DataError, connection, transaction
from django.utils import timezone

from zuzhi.accounts.models import User
from zuzhi.contests.models import VoteQuota
from zuzhi.contests.voting import services as voting
from zuzhi.core.db import fetch_one_prepared

from .test_votes import member_contest, voter  # noqa: F401 - fixtures

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _prepared_on_server(fragment: str) -> int:
    """How many prepared statements this session holds on the server whose text has
    `fragment` (whether prepared by the protocol or by SQL PREPARE)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{fragment}%"],
        )
        return cursor.fetchone()[0]


@postgresql_only
def test_a_statement_that_fails_is_not_prepared_again_on_every_call(db):
    """psycopg prepares with prepare=True on the first execution (Parse, then Execute). When
    that first execution fails, psycopg forgets the name but the server keeps the statement,
    and the next call prepares it again under a new name: one statement more on the server
    per failure, for the connection's life (ZUZHI_DB_CONN_MAX_AGE=600)."""
    for _ in range(5):
        with pytest.raises(DataError), transaction.atomic():
            fetch_one_prepared(
                name="zuzhi_review_div", sql="SELECT 2 / %s", types=["integer"], params=[0]
            )
    assert _prepared_on_server("SELECT 2 / $1") <= 1


@postgresql_only
def test_refused_votes_do_not_pile_up_prepared_statements(member_contest):  # noqa: F811
    """The production case of the above: on a connection that has not yet recorded a vote
    (a new one, or one whose statements were dropped by a rollback), every refused vote
    (a limit reached: the statement fails on NOT NULL) leaves one more copy of the vote
    statement prepared in the server session, and is parsed and planned afresh."""
    contest, _ = member_contest
    stage = contest.stages.get(kind="public_vote")
    entrant = contest.entrants.order_by("number").first()
    who = voter(41)
    VoteQuota.objects.create(
        stage=stage,
        key=f"d:{who.phone_digest}:{timezone.localdate():%Y%m%d}",
        used=stage.votes_per_day,
        cap=stage.votes_per_day,
    )
    for _ in range(5):
        with pytest.raises(voting.VoteRefused):
            voting.vote_cast(
                contest_id=stage.contest_id, entrant_id=entrant.pk, voter=who, device="", ip=None
            )
    # Other tests on this connection prepare the statement for other sets of limits: what
    # must not happen is the same statement prepared twice.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s "
            "GROUP BY statement HAVING count(*) > 1",
            ["%INSERT INTO contests_vote%"],
        )
        assert cursor.fetchall() == []


@postgresql_only
def test_django_s_own_queries_are_not_kept_by_psycopg(db):
    """prepare_threshold in OPTIONS turns on psycopg's statement bookkeeping for every query
    of the connection, not only the prepared vote: each of Django's client-bound queries
    (its text with the values quoted in) is counted in an LRU of the last 100 texts, which
    keeps them in memory for the connection's life (a bulk insert: megabytes each) and
    costs client CPU per statement (executemany of 50,000 rows: about a third more)."""
    User.objects.filter(username="x" * 10_000).exists()
    User.objects.filter(username="y" * 10_000).exists()
    counted = connection.connection._prepared._counts
    assert not [key for key, _ in counted if b"x" * 10_000 in key]


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
