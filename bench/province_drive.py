"""The pages and API of bench/province.py, requested with real sessions as the four roles.

Each request goes through the whole Django stack in the process (django.test.Client: the
middleware, the view, the template rendering), DEBUG off; its time is the time of
`client.get`. Every SQL statement over 50 ms is kept (`connection.execute_wrapper`) and its
plan printed once per statement shape with EXPLAIN (ANALYZE, BUFFERS).
"""

import re
import statistics
import time
from dataclasses import dataclass, field

from province_build import PASSWORD

# The fast roles first: a run cut short at province size still has them.
ROLES = ("branch", "township", "county", "province")
TARGET_MS = {"province": 1000, "county": 300, "township": 150, "branch": 150}
SLOW_MS = 50
# Sampling stops once a page has taken this long in all (at least 3 timed samples; 2 when
# the warm-up alone took over 3 s; a warm-up over 10 s is the page's only sample, marked
# "cold"), so that a run at province size ends.
PAGE_BUDGET_MS = 10_000
# Set on the database for the drive: a statement running longer is cancelled (the page
# fails and is reported as over the timeout).
STATEMENT_TIMEOUT_S = 20


@dataclass
class Result:
    role: str
    page: str
    url: str
    status: int
    samples: list[float] = field(default_factory=list)
    queries: int = 0
    failed_ms: float = 0.0
    cold: bool = False

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass
class Slow:
    sql: str
    params: tuple
    ms: float
    where: str
    count: int = 1
    pages: set = field(default_factory=set)


def shape(sql: str) -> str:
    """The statement without its varying parts: parameter lists and literals."""
    sql = re.sub(r"(%s)(, %s)+", "%s…", sql)
    sql = re.sub(r"'[^']*'", "'…'", sql)
    return re.sub(r"\b\d+\b", "N", sql)


class Recorder:
    def __init__(self):
        self.slow: dict[str, Slow] = {}
        self.where = ""
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.count += 1
            if ms > SLOW_MS:
                key = shape(sql)
                seen = self.slow.get(key)
                if seen is None:
                    seen = self.slow[key] = Slow(sql, params, ms, self.where, 0)
                elif seen.ms < ms:  # keep the worst instance, for its plan
                    seen.sql, seen.params, seen.ms, seen.where = sql, params, ms, self.where
                seen.count += 1
                seen.pages.add(self.where)


def scope_facts(role: str) -> dict:
    """What the role's pages are asked about: its scope's organization, a member of that
    scope to search for, the contest whose results it reads."""
    from zuzhi.accounts.models import RoleAssignment
    from zuzhi.contests.models import Contest
    from zuzhi.core.scope import subtree_q
    from zuzhi.members.models import Member

    grant = (
        RoleAssignment.objects.filter(user__username=f"bench_{role}")
        .exclude(role="cadre_staff")
        .select_related("organization")
        .get()
    )
    org = grant.organization
    members = Member.objects.filter(subtree_q(org.path, "organization__path")).order_by("pk")
    count = members.count()
    member = members[count // 2]
    county_path = org.path[:16] if len(org.path) >= 16 else org.path
    contest = (
        Contest.objects.filter(organization__path=county_path).order_by("pk").first()
        or Contest.objects.order_by("pk").first()
    )
    return {
        "org": org,
        "member": member,
        "initials": member.name_initials.split()[0],
        "contest": contest.pk,
        "members": count,
    }


def pages(facts: dict) -> list[tuple[str, str]]:
    m = facts["member"]
    org = facts["org"].pk
    contest = facts["contest"]
    return [
        ("home and to-do", "/"),
        ("members: list", "/members/"),
        ("members: status=probationary", "/members/?status=probationary"),
        ("members: education=本科", "/members/?education=2"),
        ("members: search name", f"/members/?q={m.name}"),
        ("members: search initials", f"/members/?q={facts['initials']}"),
        ("members: search ID number", f"/members/?q={m.id_number}"),
        ("organizations: list", "/orgs/"),
        ("organizations: tree", "/orgs/tree/"),
        ("organizations: health", "/orgs/health/"),
        ("meetings: list", "/orglife/"),
        ("meetings: compliance (month)", "/orglife/compliance/"),
        ("meetings: compliance (quarter)", "/orglife/compliance/?frequency=quarter"),
        ("points", "/points/"),
        ("points: by branch", "/points/?view=branches"),
        ("contests: list", "/contests/"),
        ("contests: results", f"/contests/{contest}/results/"),
        ("cadres: list", "/cadres/"),
        ("reserves: list", "/reserves/"),
        ("reserves: pool", "/reserves/pool/"),
        ("households: list", "/households/"),
        ("tickets: list", "/tickets/"),
        ("API members", f"/api/members?org={org}"),
        ("API members status", "/api/members?status=probationary"),
        ("API members search", f"/api/members?q={m.name}"),
        ("API orgs", "/api/orgs"),
        ("API meetings", "/api/meetings"),
        ("API compliance", "/api/meetings/compliance"),
        ("API cadres", "/api/cadres"),
        ("API reserves", "/api/reserves"),
        ("API tickets", "/api/tickets"),
    ]


def drive(
    samples: int, only: list[str] | None = None, roles=ROLES
) -> tuple[list[Result], Recorder]:
    from django.db import connection
    from django.test import Client

    # The server's entry, as granian loads it: what it does at start (gc.freeze) applies here.
    import zuzhi.wsgi  # noqa: F401

    recorder = Recorder()
    results: list[Result] = []
    for role in roles:
        facts = scope_facts(role)
        print(
            f"\n[{role}] scope {facts['org'].name} ({facts['members']:,} members); "
            f"searches {facts['member'].name} / {facts['initials']} / an ID number",
            flush=True,
        )
        client = Client(raise_request_exception=False)
        if not client.login(username=f"bench_{role}", password=PASSWORD):
            raise SystemExit(f"login failed for bench_{role}")
        answer = Client().post(
            "/api/auth/token",
            {"username": f"bench_{role}", "password": PASSWORD},
            content_type="application/json",
        )
        token = answer.json().get("token") if answer.status_code == 200 else None
        if token is None:
            print(f"  (no API token: {answer.status_code} {answer.content[:200]!r})")
        for label, url in pages(facts):
            if only and not any(o in label for o in only):
                continue
            headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if url.startswith("/api/") else {}
            result = Result(role, label, url, 0)
            recorder.where = f"{role}: {label}"
            budget = samples
            spent = 0.0
            with connection.execute_wrapper(recorder):
                n = 0
                while n < budget:
                    count = recorder.count
                    started = time.perf_counter()
                    response = client.get(url, **headers)
                    ms = (time.perf_counter() - started) * 1000
                    result.status = response.status_code
                    result.failed_ms = ms
                    if response.status_code != 200:
                        break
                    if n == 0:
                        result.queries = recorder.count - count
                        if ms > 10_000:  # far over any target: once is enough
                            result.samples.append(ms)
                            result.cold = True
                            break
                        if ms > 3000:  # the warm-up tells: sample a slow page less
                            budget = 3
                    else:
                        result.samples.append(ms)
                        spent += ms
                        if spent > PAGE_BUDGET_MS and n >= 3:
                            break
                    n += 1
            results.append(result)
            if result.samples:
                print(
                    f"  {label:<34} p50 {result.p50:9.1f} ms  p95 {result.p95:9.1f} ms"
                    f"  ({len(result.samples)} samples{', cold' if result.cold else ''},"
                    f" {result.queries} queries)",
                    flush=True,
                )
            elif result.status in (302, 403, 404):
                print(f"  {label:<34} HTTP {result.status}: skipped (no access)", flush=True)
            else:
                print(
                    f"  {label:<34} HTTP {result.status} after {result.failed_ms:,.0f} ms: FAILED",
                    flush=True,
                )
    return results, recorder


def report(results: list[Result], recorder: Recorder) -> None:
    from django.db import connection

    print("\n| page | role | p50 ms | p95 ms | target | |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for r in results:
        target = TARGET_MS[r.role]
        if not r.samples:
            if r.status not in (302, 403, 404):
                print(f"| {r.page} | {r.role} | — | HTTP {r.status} | {target:,} | **MISS** |")
            continue
        verdict = "PASS" if r.p95 <= target else "**MISS**"
        cold = " (1 cold sample)" if r.cold else ""
        print(
            f"| {r.page} | {r.role} | {r.p50:,.0f} | {r.p95:,.0f}{cold} | {target:,} | {verdict} |"
        )
    skipped = [f"{r.role}: {r.page}" for r in results if r.status in (302, 403, 404)]
    if skipped:
        print("\nNo access (skipped): " + "; ".join(skipped))
    failed = [
        f"{r.role}: {r.page} (HTTP {r.status} after {r.failed_ms / 1000:,.1f} s)"
        for r in results
        if not r.samples and r.status not in (302, 403, 404)
    ]
    if failed:
        print(
            f"\nFailed (HTTP 500 after {STATEMENT_TIMEOUT_S} s is the statement timeout: a MISS): "
            + "; ".join(failed)
        )
    measured = [r for r in results if r.status not in (302, 403, 404)]
    misses = sum(1 for r in measured if not r.samples or r.p95 > TARGET_MS[r.role])
    print(f"\n{misses} of {len(measured)} page×role p95 over target (or failed)")
    print(f"\nQueries over {SLOW_MS} ms: {len(recorder.slow)} shapes")
    for n, slow in enumerate(sorted(recorder.slow.values(), key=lambda s: -s.ms), 1):
        print(
            f"\n--- slow query {n}: worst {slow.ms:,.0f} ms on {slow.where};"
            f" {slow.count}× over {SLOW_MS} ms, on: {'; '.join(sorted(slow.pages))}"
        )
        print(slow.sql[:3000])
        if not slow.sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        print("\n".join(explain(connection, slow)))


def explain(connection, slow: Slow) -> list[str]:
    """The plan with its timings; the estimated plan alone when the statement does not finish
    within the statement timeout."""
    from django.db import transaction
    from django.db.utils import OperationalError

    if slow.ms < STATEMENT_TIMEOUT_S * 1000:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slow.sql, slow.params)
                return [row[0] for row in cursor.fetchall()]
        except OperationalError:
            pass
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + slow.sql, slow.params)
        return ["(not finished within the statement timeout: the estimated plan)"] + [
            row[0] for row in cursor.fetchall()
        ]
