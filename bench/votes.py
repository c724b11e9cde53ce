"""Benchmark: public votes through a real server (target: ≥ 2,000 accepted votes/s on PostgreSQL).

Starts Zuzhi under gunicorn with the production settings on loopback, then a load generator
(asyncio, keep-alive connections, in a second process) casts votes for 30 seconds from 20,000
simulated phones (each verified phone holds a signed voter token,
as after the SMS step; limit 3 votes a day, so phones that come round a fourth time are
refused). Prints accepted votes per second, p50/p99 latency, and then checks the ledger: the
number of votes in the database must equal the number of 201 answers (nothing lost, nothing
counted twice).

    ZUZHI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/votes.py
    .venv/bin/python bench/votes.py --sqlite      # the embedded database, for comparison

The per-IP rate limit is switched off for the run (every request comes from 127.0.0.1), and
database connections are kept open between requests (ZUZHI_DB_CONN_MAX_AGE, as a production
deployment sets it); everything else is the production path: middleware, token check, limits,
ledger insert. When the time is up the generator stops sending and waits for every answer, so
the ledger can be compared with the answers exactly.
"""

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHONES = 20_000
THREADS = 4
ENTRANTS = 30

SETUP = """
import django, sys
django.setup()
from decimal import Decimal
from django.core.management import call_command
call_command("migrate", verbosity=0)
from zuzhi.accounts.models import RoleAssignment, User
from zuzhi.contests import services
from zuzhi.core.roles import Role
from zuzhi.orgs.models import Organization
from zuzhi.core.scope import path_segment
county = Organization.objects.create(code="C", name="县委", org_type="county_committee",
    unit_category="county", path="tmp", depth=1)
county.path = path_segment(county.pk); county.save()
for i in range({entrants}):
    o = Organization.objects.create(code=f"V{{i}}", name=f"村{{i}}", org_type="branch",
        unit_category="village", parent=county, path="tmp", depth=2)
    o.path = county.path + path_segment(o.pk); o.save()
actor = User.objects.create_user(username="bench", password="x")
RoleAssignment.objects.create(user=actor, role=Role.COUNTY_STAFF, organization=county)
contest = services.contest_create(actor=actor, organization=county,
    data={{"name": "投票压测", "track": "village", "period_label": "2026"}},
    stages=[{{"kind": "public_vote", "name": "群众投票", "weight": Decimal(100), "votes_per_day": 3}}])
services.entrants_add_eligible(actor=actor, contest=contest)
services.contest_start(actor=actor, contest=contest)
ids = list(contest.entrants.values_list("pk", flat=True))
with open(sys.argv[1], "w") as out:
    out.write(f"{{contest.pk}}\\n" + ",".join(map(str, ids)) + "\\n")
    for n in range({phones}):
        voter = services.Voter(phone_digest=f"bench-{{n:06d}}", phone_tail=f"{{n % 10000:04d}}")
        out.write(services.voter_token(voter) + "\\n")
"""

COUNT = """
import django, sys
django.setup()
from zuzhi.contests.models import Vote
print(Vote.objects.count())
"""

LOAD = r"""
import asyncio, json, sys, time

async def main(port, path, tokens, entrants, seconds, connections):
    latencies, counts = [], {}
    deadline = time.monotonic() + seconds
    next_token = [0]

    async def worker(index):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        n = index
        while time.monotonic() < deadline:
            token = tokens[next_token[0] % len(tokens)]
            next_token[0] += 1
            body = json.dumps({"entrant_id": entrants[n % len(entrants)]}).encode()
            n += connections
            request = (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"X-Voter-Token: {token}\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.perf_counter()
            writer.write(request)
            status = int((await reader.readline()).split()[1])
            length, close = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and value.strip().lower() == "close":
                    close = True
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            counts[status] = counts.get(status, 0) + 1
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()

    began = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(connections)))
    elapsed = time.monotonic() - began
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000
    print(json.dumps({"elapsed": elapsed, "counts": counts, "p50": pct(0.5), "p99": pct(0.99)}))

port, path, data, seconds, connections = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
lines = open(data).read().split()
asyncio.run(main(int(port), path, lines[2:], lines[1].split(","), seconds, connections))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(database_url: str, seconds: int, workers: int, threads: int, connections: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "zuzhi.settings",
            "ZUZHI_DATABASE_URL": database_url,
            "ZUZHI_DEBUG": "0",
            "ZUZHI_SECRET_KEY": secrets.token_urlsafe(50),
            "ZUZHI_ALLOWED_HOSTS": "127.0.0.1",
            "ZUZHI_HTTPS": "0",
            "ZUZHI_VAR_DIR": tmp,
            "ZUZHI_VOTE_IP_PER_MINUTE": "0",
            "ZUZHI_DB_CONN_MAX_AGE": "600",
        }
        data = f"{tmp}/tokens.txt"
        code = SETUP.format(entrants=ENTRANTS, phones=PHONES)
        subprocess.run([sys.executable, "-c", code, data], env=env, cwd=ROOT, check=True)
        contest_id = Path(data).read_text().split("\n", 1)[0]
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "zuzhi.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            path = f"/api/public/contests/{contest_id}/votes"
            out = subprocess.run(
                [sys.executable, "-c", LOAD, str(port), path, data, str(seconds), str(connections)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        finally:
            server.terminate()
            server.wait(timeout=30)
        result = json.loads(out)
        counts = {int(k): v for k, v in result["counts"].items()}
        accepted, refused = counts.pop(201, 0), counts.pop(409, 0)
        other = sum(counts.values())
        p50, p99, elapsed = result["p50"], result["p99"], result["elapsed"]
        ledger = int(
            subprocess.run(
                [sys.executable, "-c", COUNT], env=env, cwd=ROOT, capture_output=True, text=True
            ).stdout.strip()
        )
        vendor = "postgresql" if database_url.startswith("postgres") else "sqlite"
        print(
            f"[{vendor}] {elapsed:.1f} s, {workers} gunicorn workers × {threads} threads, "
            f"{connections} connections: {accepted / elapsed:,.0f} accepted votes/s "
            "(target ≥ 2,000 on PostgreSQL); "
            f"{refused:,} refused over the daily limit, {other:,} other answers {counts or ''}; "
            f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms"
        )
        verdict = "OK" if ledger == accepted else "MISMATCH"
        print(
            f"[{vendor}] ledger check: {ledger:,} votes in the database, {accepted:,} accepted: {verdict}"
        )
        return 0 if verdict == "OK" and other == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--sqlite", action="store_true", help="run on SQLite instead")
    args = parser.parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            return run(
                f"sqlite:///{tmp}/bench.sqlite3", args.seconds, args.workers, args.connections
            )
    pg_url = os.environ.get("ZUZHI_BENCH_PG_URL")
    if not pg_url:
        print("Set ZUZHI_BENCH_PG_URL to a PostgreSQL server (or pass --sqlite).")
        return 2
    import psycopg

    admin = psycopg.connect(pg_url, autocommit=True)
    admin.execute("DROP DATABASE IF EXISTS zuzhi_bench_votes")
    admin.execute("CREATE DATABASE zuzhi_bench_votes")
    try:
        return run(
            pg_url.rsplit("/", 1)[0] + "/zuzhi_bench_votes",
            args.seconds,
            args.workers,
            args.threads,
            args.connections,
        )
    finally:
        admin.execute("DROP DATABASE IF EXISTS zuzhi_bench_votes WITH (FORCE)")
        admin.close()


if __name__ == "__main__":
    sys.exit(main())
