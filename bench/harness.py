"""Runs a benchmark once per database, each in a child process of the script with
ZUZHI_DATABASE_URL set: SQLite in a temporary file always; PostgreSQL as well when
ZUZHI_BENCH_PG_URL (or a ZUZHI_DATABASE_URL starting with postgres) names a server, in a
database of the benchmark's own that is dropped afterwards."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def is_child() -> bool:
    """True inside the child: the caller then runs the measurement itself."""
    if os.environ.get("BENCH_CHILD"):
        sys.path.insert(0, str(ROOT))
        return True
    return False


def _child(script: str, database_url: str, env_extra: dict) -> int:
    env = {
        **os.environ,
        **env_extra,
        "ZUZHI_DATABASE_URL": database_url,
        "ZUZHI_DEBUG": "1",
        "BENCH_CHILD": "1",
    }
    env.setdefault("DJANGO_SETTINGS_MODULE", "zuzhi.settings")
    return subprocess.call([sys.executable, script, *sys.argv[1:]], env=env, cwd=ROOT)


def on_each_database(script: str, database: str) -> int:
    """Run `script` (its own __file__) with the same arguments on each database; the
    PostgreSQL one is named `database`. Returns the children's exit statuses or-ed."""
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        status |= _child(script, f"sqlite:///{tmp}/bench.sqlite3", {"ZUZHI_VAR_DIR": tmp})
    pg_url = os.environ.get("ZUZHI_BENCH_PG_URL")
    if not pg_url and os.environ.get("ZUZHI_DATABASE_URL", "").startswith("postgres"):
        pg_url = os.environ["ZUZHI_DATABASE_URL"]
    if not pg_url:
        print("(PostgreSQL skipped: set ZUZHI_BENCH_PG_URL to include it)")
        return status
    import psycopg

    admin = psycopg.connect(pg_url, autocommit=True)
    admin.execute(f"DROP DATABASE IF EXISTS {database}")
    admin.execute(f"CREATE DATABASE {database}")
    try:
        status |= _child(script, pg_url.rsplit("/", 1)[0] + f"/{database}", {})
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {database}")
        admin.close()
    return status
