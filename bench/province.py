"""Benchmark: a province on PostgreSQL (150,000 organizations, 5,000,000 members), its pages
and API driven as four roles (targets, p95: township and branch 150 ms, county 300 ms,
province 1 s).

Builds a province-shaped database with COPY (province_build.py: one province, 100 counties of
20 townships, villages and communities with general branches and branches, county units; a
year of meetings, cadres, reserves, households, tickets, contests with published results;
`--scale` shrinks it), prints each table's build time, then requests the real pages and API
with real sessions as a province staff user, a county staff user, a township clerk and a
branch secretary (province_drive.py) and prints p50/p95 per page and role, with the plan of
every query over 50 ms.

    ZUZHI_BENCH_PG_URL=postgres://postgres@127.0.0.1:55440/postgres \\
        .venv/bin/python bench/province.py [--scale 1.0] [--samples 20] [--keep | --reuse]

PostgreSQL only (the database `zuzhi_province` is created on that server and dropped
afterwards unless `--keep`; `--reuse` drives an existing one without building it again).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

from harness import ROOT, is_child

DATABASE = "zuzhi_province"
TEMPLATE = "zuzhi_province_template"


def child(args) -> int:
    import django

    if not (os.environ.get("ZUZHI_DATA_KEY") or os.environ.get("ZUZHI_DATA_KEY_FILE")):
        # DEBUG is off, so no data key is created on first use: the bench keeps its own in
        # its var directory, where --reuse finds the key the build sealed the rows with.
        from pathlib import Path

        from zuzhi.core.crypto import write_key_file

        path = Path(os.environ["ZUZHI_VAR_DIR"]) / "data.key"
        if not path.exists():
            write_key_file(path)
        os.environ["ZUZHI_DATA_KEY_FILE"] = str(path)
    django.setup()
    from django.core.management import call_command

    if os.environ.get("BENCH_BUILD") == "1":
        from province_build import Build

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)
        build = Build(args.scale)
        print(f"building at scale {args.scale} ({build.counties} counties):", flush=True)
        build.run()
    from django.db import connection
    from province_drive import ROLES, STATEMENT_TIMEOUT_S, drive, report

    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER DATABASE {name} SET statement_timeout = '{STATEMENT_TIMEOUT_S}s'")
    # The test client keeps the connection between requests: a new one takes the setting.
    connection.close()
    try:
        only = args.only.split(",") if args.only else None
        roles = args.roles.split(",") if args.roles else ROLES
        started = time.perf_counter()
        results, recorder = drive(args.samples + 1, only, roles)
        print(f"\ndriven in {(time.perf_counter() - started) / 60:.1f} min")
        report(results, recorder)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER DATABASE {name} RESET statement_timeout")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the province")
    parser.add_argument("--samples", type=int, default=20, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="drive an existing database")
    parser.add_argument("--only", default="", help="comma-separated parts of page labels")
    parser.add_argument("--database", default=DATABASE, help="the database built and driven")
    parser.add_argument(
        "--roles", default="", help="comma-separated: branch,township,county,province"
    )
    args = parser.parse_args()
    if is_child():
        return child(args)
    pg_url = os.environ.get("ZUZHI_BENCH_PG_URL")
    if not pg_url and os.environ.get("ZUZHI_DATABASE_URL", "").startswith("postgres"):
        pg_url = os.environ["ZUZHI_DATABASE_URL"]
    if not pg_url:
        print("Set ZUZHI_BENCH_PG_URL to a PostgreSQL server (see bench/README.md).")
        return 2
    import psycopg

    admin = psycopg.connect(pg_url, autocommit=True)
    database = args.database
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
    build = not (args.reuse and exists)
    if build:
        admin.execute(f"DROP DATABASE IF EXISTS {database}")
        # A migrated empty database of that name, if the server has one, saves the migration.
        template = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [TEMPLATE]
        ).fetchone()
        admin.execute(f"CREATE DATABASE {database}" + (f" TEMPLATE {TEMPLATE}" if template else ""))
    else:
        print(f"reusing the database {database}")
    env = {
        **os.environ,
        "ZUZHI_DATABASE_URL": pg_url.rsplit("/", 1)[0] + f"/{database}",
        "ZUZHI_DEBUG": "0",
        "ZUZHI_HTTPS": "0",
        "ZUZHI_ALLOWED_HOSTS": "testserver",
        # The drive measures pages: its roles log in with the password alone (production
        # asks county staff for a second factor once per login, not per page).
        "ZUZHI_OTP_REQUIRED_ROLES": "",
        "ZUZHI_SECRET_KEY": os.environ.get("ZUZHI_SECRET_KEY", "bench-province-" + "x" * 40),
        "ZUZHI_VAR_DIR": os.environ.get(
            "ZUZHI_VAR_DIR", os.path.join(tempfile.gettempdir(), "zuzhi-bench-province")
        ),
        "BENCH_CHILD": "1",
        "BENCH_BUILD": "1" if build else "0",
    }
    env.setdefault("DJANGO_SETTINGS_MODULE", "zuzhi.settings")
    try:
        status = subprocess.call([sys.executable, __file__, *sys.argv[1:]], env=env, cwd=ROOT)
    finally:
        if not (args.keep or args.reuse):
            admin.execute(f"DROP DATABASE IF EXISTS {database}")
        admin.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
