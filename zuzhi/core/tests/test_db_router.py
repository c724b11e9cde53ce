"""core.db_router: pages read a replica; a writer reads back from the primary for the rest of
the request and ZUZHI_READ_YOUR_WRITES_SECONDS after; transactions, the worker and migrations
stay on the primary. The replica here is a test mirror of the test database
(test_settings), so what is observed is which connection ran a query, not lag.

Also core.db.fetch_one_prepared's fallback for pgbouncer in transaction pooling."""

import contextlib

import pytest
from django.db import connection, connections, router, transaction
from django.test import Client, RequestFactory
from django.urls import reverse

from zuzhi.contests.models import Vote
from zuzhi.contests.tests.test_votes import member_contest, voter  # noqa: F401 - fixtures
from zuzhi.contests.voting import services as voting
from zuzhi.core import db_router
from zuzhi.core.db import fetch_one_prepared
from zuzhi.orgs.models import Organization
from zuzhi.orgs.tests.test_views import form_data

ORGS = Organization._meta.db_table
routed_db = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def routing(settings):
    """The router and its middleware on, as settings installs them with a replica URL."""
    settings.DATABASE_ROUTERS = ["zuzhi.core.db_router.PrimaryReplicaRouter"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("zuzhi.core.middleware.RefuseNulMiddleware") + 1,
        "zuzhi.core.middleware.ReadReplicaMiddleware",
    )
    settings.MIDDLEWARE = middleware
    settings.ZUZHI_READ_YOUR_WRITES_SECONDS = 10


@contextlib.contextmanager
def reads_of(table: str):
    """The aliases whose connections ran a SELECT from `table`, in order (a join from
    another table is that table's read)."""
    seen: list[str] = []

    def spy(alias):
        def wrapper(execute, sql, params, many, context):
            if sql.lstrip().upper().startswith("SELECT") and f'FROM "{table}"' in sql:
                seen.append(alias)
            return execute(sql, params, many, context)

        return wrapper

    with (
        connections["default"].execute_wrapper(spy("default")),
        connections["replica"].execute_wrapper(spy("replica")),
    ):
        yield seen


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def set_clock(monkeypatch, now: float) -> None:
    monkeypatch.setattr(db_router, "_clock", lambda: now)


@routed_db
def test_a_page_that_writes_nothing_reads_the_replica(routing, county, county_user):
    client = logged_in(county_user)
    with reads_of(ORGS) as seen:
        response = client.get(reverse("orgs:detail", args=[county.village_a1.pk]))
    assert response.status_code == 200 and "李庄村党支部" in response.content.decode()
    assert seen and set(seen) == {"replica"}
    assert db_router.PIN_COOKIE not in response.cookies


@routed_db
def test_a_writer_reads_the_primary_until_the_window_ends(
    routing, county, county_user, monkeypatch
):
    client, detail = logged_in(county_user), reverse("orgs:detail", args=[county.village_a1.pk])
    set_clock(monkeypatch, 1_000_000.0)
    with reads_of(ORGS) as seen:
        response = client.post(
            reverse("orgs:edit", args=[county.village_a1.pk]),
            form_data(county.village_a1, name="李庄村党总支"),
        )
    assert response.status_code == 302
    assert seen and set(seen) == {"default"}
    assert db_router.PIN_COOKIE in response.cookies

    set_clock(monkeypatch, 1_000_009.0)
    with reads_of(ORGS) as seen:
        assert "李庄村党总支" in client.get(detail).content.decode()
    assert seen and set(seen) == {"default"}

    set_clock(monkeypatch, 1_000_010.5)
    with reads_of(ORGS) as seen:
        client.get(detail)
    assert seen and set(seen) == {"replica"}


@routed_db
def test_another_user_is_not_pinned_by_someone_else_s_write(
    routing, county, county_user, town_a_user
):
    writer, reader = logged_in(county_user), logged_in(town_a_user)
    writer.post(
        reverse("orgs:edit", args=[county.village_a1.pk]),
        form_data(county.village_a1, name="李庄村党总支"),
    )
    with reads_of(ORGS) as seen:
        reader.get(reverse("orgs:detail", args=[county.village_a1.pk]))
    assert seen and set(seen) == {"replica"}


@routed_db
def test_a_forged_pin_cookie_is_ignored(routing, county, county_user):
    client = logged_in(county_user)
    client.cookies[db_router.PIN_COOKIE] = "99999999999"
    with reads_of(ORGS) as seen:
        client.get(reverse("orgs:detail", args=[county.village_a1.pk]))
    assert set(seen) == {"replica"}


@routed_db
def test_within_a_request_reads_after_a_write_go_to_the_primary(routing, county):
    request = RequestFactory().get("/")
    with db_router.request_reads(request) as reads:
        with reads_of(ORGS) as seen:
            Organization.objects.get(pk=county.town_a.pk)
            Organization.objects.filter(pk=county.town_a.pk).update(short_name="城关")
            Organization.objects.get(pk=county.town_a.pk)
    assert seen == ["replica", "default"]
    assert reads.wrote


@routed_db
def test_reads_inside_a_transaction_use_the_primary(routing, county):
    with db_router.request_reads(RequestFactory().get("/")) as reads:
        with reads_of(ORGS) as seen, transaction.atomic():
            Organization.objects.get(pk=county.town_a.pk)
    assert seen == ["default"]
    assert not reads.wrote


@routed_db
def test_the_session_and_the_user_s_rights_are_read_on_the_primary(routing, county, county_user):
    """Saving the session (every request) does not pin the browser; a removed role or a
    revoked token must count at once, whatever the replica's lag."""
    client = logged_in(county_user)
    with reads_of("django_session") as sessions, reads_of("accounts_roleassignment") as roles:
        response = client.get(reverse("orgs:detail", args=[county.village_a1.pk]))
    assert sessions == ["default"]
    assert roles and set(roles) == {"default"}
    assert db_router.PIN_COOKIE not in response.cookies


@routed_db
def test_outside_a_request_everything_reads_the_primary(routing, county):
    """The task worker (whose claim transaction opens on the alias it reads tasks from),
    management commands and imports in the worker run outside any request."""
    from django_tasks_db.models import DBTaskResult

    assert router.db_for_read(DBTaskResult) == "default"
    with reads_of(ORGS) as seen:
        Organization.objects.get(pk=county.town_a.pk)
    assert seen == ["default"]


def test_only_the_primary_is_migrated_and_relations_cross_aliases(routing):
    assert router.allow_migrate("default", "orgs")
    assert not router.allow_migrate("replica", "orgs")
    on_replica, on_primary = Organization(), Organization()
    on_replica._state.db, on_primary._state.db = "replica", "default"
    assert router.allow_relation(on_replica, on_primary)


# --- pgbouncer in transaction pooling: no named prepared statement ------------------------


def test_the_fallback_returns_the_row_the_prepared_statement_returns(db, monkeypatch):
    """With DISABLE_SERVER_SIDE_CURSORS (ZUZHI_PGBOUNCER_TRANSACTION_POOLING) the statement
    runs as it is, each parameter cast to its declared type; no PREPARE is sent."""
    statement = {
        "name": "zuzhi_test_pool",
        "sql": "SELECT %s + 1, %s",
        "types": ["integer", "text"],
        "params": ["41", "城关镇"],
    }
    expected = fetch_one_prepared(**statement) if connection.vendor == "postgresql" else None
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    with connection.execute_wrapper(refuse_prepare):
        row = fetch_one_prepared(**statement)
    assert row == (42, "城关镇")
    if expected is not None:
        assert row == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the vote's statement is PG's")
def test_a_public_vote_is_recorded_without_a_prepared_statement(
    member_contest,  # noqa: F811 - the fixture
    monkeypatch,
):
    contest, _ = member_contest
    entrant = contest.entrants.order_by("number").first()
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    with connection.execute_wrapper(refuse_prepare):
        vote_id = voting.vote_cast(
            contest_id=contest.pk, entrant_id=entrant.pk, voter=voter(52), device="", ip=None
        )
    assert Vote.objects.get(pk=vote_id).entrant_id == entrant.pk


def refuse_prepare(execute, sql, params, many, context):
    assert not sql.lstrip().upper().startswith(("PREPARE", "EXECUTE")), sql
    return execute(sql, params, many, context)
