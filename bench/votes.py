"""Benchmark: public votes through a real server (target: ≥ 2,000 accepted votes/s on PostgreSQL).

Starts Zuzhi's WSGI application (zuzhi.wsgi, with the short way in for votes) under granian,
the production server, with the production settings on loopback, then a load generator in a
second process (wrk when installed, else Python asyncio; keep-alive connections) casts votes for
30 seconds from 60,000 simulated phones (each verified phone holds a signed voter token, as after
the SMS step; limit 3 votes a day, so phones that come round a fourth time are refused). Prints accepted votes per
second, p50/p99 latency, and then checks the ledger: the number of votes in the database must
equal the number of 201 answers (nothing lost, nothing counted twice).

    ZUZHI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/votes.py
    .venv/bin/python bench/votes.py --sqlite      # the embedded database, for comparison

The per-IP rate limit is switched off for the run (every request comes from 127.0.0.1), and
database connections are kept open between requests (ZUZHI_DB_CONN_MAX_AGE, as a production
deployment sets it); everything else is the production path: token check, limits, ledger
insert. When the time is up no more votes are sent and every answer is awaited, so the ledger
can be compared with the answers exactly.
"""

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHONES = 60_000  # 3 votes each: more than 2,000 votes/s for 30 s can use
THREADS = 4
ENTRANTS = 30
# BENCH_SERVER=gunicorn compares with gunicorn's gthread workers (pip install gunicorn; not a
# dependency: see bench/README.md); BENCH_PYTHON_LOAD=1 uses the Python generator even when wrk
# is installed.
SERVER = os.environ.get("BENCH_SERVER", "granian")
PYTHON_LOAD = os.environ.get("BENCH_PYTHON_LOAD") == "1"
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")  # gunicorn's; "sync" to compare

SETUP = """
import django, sys
django.setup()
from decimal import Decimal
from django.core.management import call_command
call_command("migrate", verbosity=0)
from zuzhi.accounts.models import RoleAssignment, User
from zuzhi.contests import services
from zuzhi.contests.voting.services import Voter, voter_token
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
        voter = Voter(phone_digest=f"bench-{{n:06d}}", phone_tail=f"{{n % 10000:04d}}")
        out.write(voter_token(voter) + "\\n")
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


# The same load from wrk (C, far less CPU than the Python generator on a two-core machine),
# when it is installed (apt-get install wrk). Each connection casts votes until the window
# closes, then asks for a page that casts nothing until wrk stops a few seconds later: every
# vote's answer has arrived and been counted by then.
WRK_SCRIPT = r"""
local lines = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do lines[#lines + 1] = line end
local contest = lines[1]
local entrants = {}
for id in string.gmatch(lines[2], "[^,]+") do entrants[#entrants + 1] = id end
local tokens = {}
for i = 3, #lines do tokens[#tokens + 1] = lines[i] end
local path = "/api/public/contests/" .. contest .. "/votes"
local stop_at = tonumber(os.getenv("BENCH_STOP_AT"))
local threads = {}
local n = 0
counts = {}  -- global: thread:get reads globals

function setup(thread)
  thread:set("offset", #threads * 7919)  -- threads start at different phones
  threads[#threads + 1] = thread
end

function init(args) n = offset end

function request()
  if os.time() >= stop_at then
    -- The window is over: a request that casts nothing, so that no vote is in flight when
    -- wrk stops (it stops with whatever is in flight unanswered).
    return wrk.format("GET", "/robots.txt", {["Host"] = "127.0.0.1"})
  end
  n = n + 1
  local body = '{"entrant_id": ' .. entrants[n % #entrants + 1] .. '}'
  return wrk.format("POST", path, {["Host"] = "127.0.0.1", ["Content-Type"] = "application/json",
    ["X-Voter-Token"] = tokens[n % #tokens + 1]}, body)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(total) do parts[#parts + 1] = '"' .. status .. '": ' .. count end
  io.write(string.format('RESULT {"counts": {%s}, "p50": %.3f, "p99": %.3f, "errors": %d}\n',
    table.concat(parts, ", "), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def load_with_wrk(port: int, data: str, seconds: int, connections: int, tmp: str) -> dict:
    script = Path(tmp) / "votes.lua"
    script.write_text(WRK_SCRIPT)
    began = time.time()
    env = {**os.environ, "BENCH_TOKENS": data, "BENCH_STOP_AT": str(int(began) + seconds)}
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{seconds + 4}s",
            "--timeout",
            "4s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    result = json.loads(out.split("RESULT ", 1)[1])
    result["counts"].pop("404", None)  # the requests after the window
    if result.pop("errors"):
        raise SystemExit(f"wrk reported socket errors:\n{out}")
    # Votes were sent until the whole second `stop_at`, so the window is that long.
    result["elapsed"] = int(began) + seconds - began
    return result


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
        bin_dir = Path(sys.executable).parent
        if SERVER == "granian":
            command = [
                str(bin_dir / "granian"),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--blocking-threads",
                str(threads),
                "--log-level",
                "warning",
                "zuzhi.wsgi:application",
            ]
        else:
            command = [
                str(bin_dir / "gunicorn"),
                "zuzhi.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--worker-class",
                WORKER_CLASS,
                "--reuse-port",
                "--threads",
                str(threads),
                "--log-level",
                "warning",
            ]
        server = subprocess.Popen(command, env=env, cwd=ROOT)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            if shutil.which("wrk") and not PYTHON_LOAD:
                generator = "wrk"
                result = load_with_wrk(port, data, seconds, connections, tmp)
            else:
                generator = "Python asyncio (install wrk for a lighter load generator)"
                path = f"/api/public/contests/{contest_id}/votes"
                command = [sys.executable, "-c", LOAD, str(port), path, data]
                out = subprocess.run(
                    [*command, str(seconds), str(connections)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                result = json.loads(out)
        finally:
            server.terminate()
            server.wait(timeout=30)
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
            f"[{vendor}] {elapsed:.1f} s, {SERVER} with {workers} workers × {threads} threads, "
            f"{connections} connections from {generator}: {accepted / elapsed:,.0f} accepted votes/s "
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
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--sqlite", action="store_true", help="run on SQLite instead")
    args = parser.parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            return run(
                f"sqlite:///{tmp}/bench.sqlite3",
                args.seconds,
                args.workers,
                args.threads,
                args.connections,
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
