"""Benchmark: reads on a PostgreSQL streaming replica, writes and read-backs on the primary.

Starts, on loopback under /tmp/pgrepl (as the `postgres` user, through runuser), a primary
(port 55450, wal_level=replica) and a streaming replica made from it with `pg_basebackup -R`
(port 55451); migrates and seeds the primary (a township of 300 branches, 20,000 members, a
township staff user); waits for the replica to replay it; then, with
ZUZHI_REPLICA_DATABASE_URL set (core.db_router on), drives a read mix of real pages with a
real session (django.test.Client: every middleware, the session saved on each request) and
prints, per database, the statements it ran (session, other reads, writes), the replication
lag seen during the run (pg_stat_replication on the primary, pg_last_wal_replay_lsn on the
replica), and p50/p95 per page. Last, a write and its read-back: an organization renamed
through its edit page, the next page read from the primary within
ZUZHI_READ_YOUR_WRITES_SECONDS, and from the replica again after it.

    .venv/bin/python bench/replica.py [--members 20000] [--repeat 40] [--keep]

Needs PostgreSQL's server binaries (/usr/lib/postgresql/15/bin), root (for runuser) and the
test extras (the tree is built with the test factories). --keep leaves both servers running.
"""

import argparse
import datetime
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = Path("/tmp/pgrepl")
PRIMARY_PORT, REPLICA_PORT = 55450, 55451
PRIMARY_URL = f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/zuzhi"
REPLICA_URL = f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/zuzhi"


def pg_bin() -> Path:
    return max(Path("/usr/lib/postgresql").glob("*/bin"))


def as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, cwd="/tmp")


def start_servers() -> None:
    """A primary, then a replica streaming from it (hot standby: it answers reads)."""
    bin_ = pg_bin()
    stop_servers()
    shutil.rmtree(BASE, ignore_errors=True)
    BASE.mkdir()
    shutil.chown(BASE, "postgres", "postgres")
    primary, replica = BASE / "primary", BASE / "replica"
    as_postgres(
        str(bin_ / "initdb"), "-D", str(primary), "-A", "trust", "-U", "postgres",
        "--locale=C.UTF-8", "-E", "UTF8",
    )  # fmt: skip
    # initdb -A trust already lets 127.0.0.1 connect for replication.
    with open(primary / "postgresql.conf", "a") as conf:
        conf.write(
            f"port = {PRIMARY_PORT}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{BASE}'\nwal_level = replica\nmax_wal_senders = 4\n"
            "hot_standby = on\nfsync = off\nshared_buffers = 256MB\n"
        )
    as_postgres(str(bin_ / "pg_ctl"), "-D", str(primary), "-l", str(BASE / "primary.log"),
                "-w", "start")  # fmt: skip
    as_postgres(str(bin_ / "createdb"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U",
                "postgres", "zuzhi")  # fmt: skip
    as_postgres(str(bin_ / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U",
                "postgres", "-D", str(replica), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
    as_postgres(str(bin_ / "pg_ctl"), "-D", str(replica), "-l", str(BASE / "replica.log"),
                "-o", f"-p {REPLICA_PORT}", "-w", "start")  # fmt: skip


def stop_servers() -> None:
    for name in ("replica", "primary"):
        if (BASE / name / "postmaster.pid").exists():
            as_postgres(str(pg_bin() / "pg_ctl"), "-D", str(BASE / name), "-m", "fast", "stop")


# --- inside the child: Django configured with the router --------------------------------


def build(members: int):
    from bench.import_members import build_tree
    from zuzhi.core.idnumber import check_char
    from zuzhi.members.models import Member
    from zuzhi.orgs.figures import org_figures_refresh

    rng = random.Random(18)
    user, branches = build_tree(rng)
    rows = []
    for i in range(members):
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=i % 18000)
        first17 = f"411330{born:%Y%m%d}{i // 18000:03d}"
        rows.append(
            Member(
                name=f"党员{i}",
                id_number=first17 + check_char(first17),
                gender=rng.choice("12"),
                ethnicity="01",
                birth_date=born,
                join_date=born + datetime.timedelta(days=365 * 25),
                status="full",
                organization=branches[i % len(branches)],
            )
        )
    Member.objects.bulk_create(rows, batch_size=2000)
    # Written in bulk as a fixture: the organizations' kept figures as the services keep them.
    org_figures_refresh(organization_ids=[b.pk for b in branches])
    return user, branches


def replica_lag() -> tuple[int, float]:
    """Bytes of WAL the replica has still to replay, and its replay lag in ms (PostgreSQL's
    own measure: the time from a commit on the primary to its replay on the replica)."""
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), "
            "COALESCE(EXTRACT(epoch FROM replay_lag) * 1000, 0) FROM pg_stat_replication"
        )
        behind, lag_ms = cursor.fetchone()
    return int(behind), float(lag_ms)


def wait_for_replay() -> float:
    """Seconds until the replica has replayed everything the primary has written."""
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    start = time.perf_counter()
    while True:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", [target])
            if cursor.fetchone()[0]:
                return time.perf_counter() - start
        time.sleep(0.001)


class Statements:
    """Counts the statements each connection runs: session reads, other reads, writes."""

    def __init__(self):
        self.counts: dict[str, dict[str, int]] = {}

    def wrapper(self, alias: str):
        counts = self.counts.setdefault(alias, {"session": 0, "reads": 0, "writes": 0})

        def count(execute, sql, params, many, context):
            head = sql.lstrip()[:6].upper()
            if "pg_stat_replication" in sql:  # the bench's own measure of the lag
                pass
            elif "django_session" in sql:
                counts["session"] += 1
            elif head in ("SELECT", "WITH", "EXECUT"):
                counts["reads"] += 1
            elif head in ("INSERT", "UPDATE", "DELETE"):
                counts["writes"] += 1
            return execute(sql, params, many, context)

        return count


def replica_has_name(org_id: int, name: str) -> float:
    """When (perf_counter) the replica first shows the organization under `name`."""
    from django.db import connections

    from zuzhi.orgs.models import Organization

    while True:
        with connections["replica"].cursor() as cursor:
            cursor.execute(
                f"SELECT name FROM {Organization._meta.db_table} WHERE id = %s", [org_id]
            )
            if cursor.fetchone()[0] == name:
                return time.perf_counter()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(members: int, repeat: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    from zuzhi.core import db_router
    from zuzhi.members.models import Member

    assert db_router.replica_aliases() == ["replica"]
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    user, branches = build(members)
    print(
        f"migrated and seeded {members:,} members in {len(branches)} branches on the primary "
        f"in {time.perf_counter() - started:.1f} s; replica caught up {wait_for_replay():.3f} s "
        "later"
    )

    client = Client()
    client.force_login(user)
    member = Member.objects.order_by("pk")[members // 2]
    branch = branches[7]
    pages = {
        "home": reverse("home"),
        "member list": reverse("members:list"),
        "member search (name)": reverse("members:list") + "?q=党员1234",
        "member detail": reverse("members:detail", args=[member.pk]),
        "organization list": reverse("orgs:list"),
        "organization detail": reverse("orgs:detail", args=[branch.pk]),
        "organization tree": reverse("orgs:tree"),
    }
    for url in pages.values():  # warm the template and connection caches
        assert client.get(url).status_code == 200, url

    statements = Statements()
    timings: dict[str, list[float]] = {name: [] for name in pages}
    lags = []
    with (
        connections["default"].execute_wrapper(statements.wrapper("default")),
        connections["replica"].execute_wrapper(statements.wrapper("replica")),
    ):
        for _ in range(repeat):
            for name, url in pages.items():
                start = time.perf_counter()
                response = client.get(url)
                timings[name].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, url
            lags.append(replica_lag())
    requests = repeat * len(pages)
    print(f"\nread mix: {requests} page requests as a township staff user (real session)")
    print(f"{'database':<22} {'session':>8} {'other reads':>12} {'writes':>7}")
    for alias, label in (("default", "primary (55450)"), ("replica", "replica (55451)")):
        c = statements.counts[alias]
        print(f"{label:<22} {c['session']:>8} {c['reads']:>12} {c['writes']:>7}")
    behind = max(b for b, _ in lags)
    lag_ms = max(m for _, m in lags)
    print(f"replication: at most {behind} bytes of WAL behind, replay lag at most {lag_ms:.1f} ms")
    print(f"\n{'page':<24} {'p50 ms':>8} {'p95 ms':>8}")
    for name, samples in timings.items():
        print(f"{name:<24} {statistics.median(samples):>8.1f} {percentile(samples, 0.95):>8.1f}")

    # A write and its read-back.
    from zuzhi.orgs.tests.test_views import form_data

    detail = reverse("orgs:detail", args=[branch.pk])
    statements = Statements()
    with connections["default"].execute_wrapper(statements.wrapper("default")):
        start = time.perf_counter()
        response = client.post(
            reverse("orgs:edit", args=[branch.pk]), form_data(branch, name="新名字村党支部")
        )
        saved = time.perf_counter()
    assert response.status_code == 302 and db_router.PIN_COOKIE in response.cookies
    replayed = replica_has_name(branch.pk, "新名字村党支部") - saved
    print(
        f"\nwrite: the branch renamed through its edit page ({(saved - start) * 1000:.0f} ms; "
        f"statements on the primary: {statements.counts['default']}); the replica had the new "
        f"name {replayed * 1000:.1f} ms after the answer"
    )
    statements = Statements()
    with (
        connections["default"].execute_wrapper(statements.wrapper("default")),
        connections["replica"].execute_wrapper(statements.wrapper("replica")),
    ):
        shown = "新名字村党支部" in client.get(detail).content.decode()
    print(
        f"read-back at once: new name shown {shown}, reads by database "
        f"{ {alias: c['reads'] for alias, c in statements.counts.items()} }"
    )
    later = time.time() + settings_seconds() + 1
    db_router._clock = lambda: later
    statements = Statements()
    with (
        connections["default"].execute_wrapper(statements.wrapper("default")),
        connections["replica"].execute_wrapper(statements.wrapper("replica")),
    ):
        shown = "新名字村党支部" in client.get(detail).content.decode()
    print(
        f"after the {settings_seconds()} s window: new name shown {shown}, reads by database "
        f"{ {alias: c['reads'] for alias, c in statements.counts.items()} }"
    )


def settings_seconds() -> int:
    from django.conf import settings

    return settings.ZUZHI_READ_YOUR_WRITES_SECONDS


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="leave both servers running")
    args = parser.parse_args()
    if os.environ.get("BENCH_CHILD"):
        sys.path.insert(0, str(ROOT))
        measure(args.members, args.repeat)
        return 0
    start_servers()
    try:
        with tempfile.TemporaryDirectory() as var:
            env = {
                **os.environ,
                "BENCH_CHILD": "1",
                "DJANGO_SETTINGS_MODULE": "zuzhi.settings",
                "ZUZHI_DEBUG": "1",
                "ZUZHI_VAR_DIR": var,
                "ZUZHI_ALLOWED_HOSTS": "testserver",
                "ZUZHI_DATABASE_URL": PRIMARY_URL,
                "ZUZHI_REPLICA_DATABASE_URL": REPLICA_URL,
                "ZUZHI_DB_CONN_MAX_AGE": "600",
            }
            return subprocess.call([sys.executable, __file__, *sys.argv[1:]], env=env, cwd=ROOT)
    finally:
        if not args.keep:
            stop_servers()


if __name__ == "__main__":
    sys.exit(main())
