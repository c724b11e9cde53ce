"""Benchmark: public votes through a real server (target: ≥ 2,000 accepted votes/s on PostgreSQL).

Starts Zuzhi under gunicorn with the production settings on loopback, then wrk casts votes
for 30 seconds from 20,000 simulated phones (each verified phone holds a signed voter token,
as after the SMS step; limit 3 votes a day, so phones that come round a fourth time are
refused). Prints accepted votes per second, p50/p99 latency, and then checks the ledger: the
number of votes in the database must equal the number of 201 answers (nothing lost, nothing
counted twice).

    apt-get install wrk
    ZUZHI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/votes.py
    .venv/bin/python bench/votes.py --sqlite      # the embedded database, for comparison

The per-IP rate limit is switched off for the run (every request comes from 127.0.0.1);
everything else is the production path: middleware, token check, limits, ledger insert.
"""

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHONES = 20_000
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

LUA = r"""
local tokens, entrants = {}, {}
local f = io.open("%(file)s")
f:read("*l")
for id in string.gmatch(f:read("*l"), "%%d+") do table.insert(entrants, id) end
for line in f:lines() do table.insert(tokens, line) end
f:close()
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
n, accepted, refused, other = 0, 0, 0, 0
function request()
  n = n + 1
  local token = tokens[((n * 2 + tid) %% #tokens) + 1]
  local entrant = entrants[(n %% #entrants) + 1]
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Voter-Token"] = token},
    '{"entrant_id": ' .. entrant .. '}')
end
function response(status, headers, body)
  if status == 201 then accepted = accepted + 1
  elseif status == 409 then refused = refused + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local a, r, o = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("accepted"); r = r + t:get("refused"); o = o + t:get("other")
  end
  io.write(string.format("ACCEPTED %%d REFUSED %%d OTHER %%d\n", a, r, o))
  io.write(string.format("P50 %%.3f P99 %%.3f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(database_url: str, seconds: int, workers: int, connections: int) -> int:
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
        }
        data = f"{tmp}/tokens.txt"
        code = SETUP.format(entrants=ENTRANTS, phones=PHONES)
        subprocess.run([sys.executable, "-c", code, data], env=env, cwd=ROOT, check=True)
        contest_id = Path(data).read_text().split("\n", 1)[0]
        Path(f"{tmp}/votes.lua").write_text(LUA % {"file": data})
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "zuzhi.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
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
            url = f"http://127.0.0.1:{port}/api/public/contests/{contest_id}/votes"
            out = subprocess.run(
                ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", f"{tmp}/votes.lua", url],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        finally:
            server.terminate()
            server.wait(timeout=30)
        accepted, refused, other = map(
            int, re.search(r"ACCEPTED (\d+) REFUSED (\d+) OTHER (\d+)", out).groups()
        )
        p50, p99 = map(float, re.search(r"P50 ([\d.]+) P99 ([\d.]+)", out).groups())
        ledger = int(
            subprocess.run(
                [sys.executable, "-c", COUNT], env=env, cwd=ROOT, capture_output=True, text=True
            ).stdout.strip()
        )
        vendor = "postgresql" if database_url.startswith("postgres") else "sqlite"
        print(
            f"[{vendor}] {seconds} s, {workers} gunicorn workers, {connections} connections: "
            f"{accepted / seconds:,.0f} accepted votes/s (target ≥ 2,000 on PostgreSQL); "
            f"{refused:,} refused over the daily limit, {other:,} other answers; "
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
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--sqlite", action="store_true", help="run on SQLite instead")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk")
        return 2
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
            args.connections,
        )
    finally:
        admin.execute("DROP DATABASE IF EXISTS zuzhi_bench_votes WITH (FORCE)")
        admin.close()


if __name__ == "__main__":
    sys.exit(main())
