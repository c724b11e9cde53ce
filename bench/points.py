"""Benchmark: one page of the members' points (党员积分) for a county-sized scope.

Builds, in a fresh database, the tree of `import_members.build_tree` (a township of 300
branches; the staff user's scope is all of it) with 16,000 members, a year of meetings (12 per
branch, about 190,000 attendances and some absences), published appraisals and manual entries;
then times the full recomputation of the kept yearly points (`points_refresh_all`, set-based:
once filling the table, once again over the rows kept, as after a change of the rules) and
what the points page does per request: count the members and read one page of 50, and a page of
the branch summary. Prints the median of a few runs.

    .venv/bin/python bench/points.py [--members 16000] [--repeat 5]
    ZUZHI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/points.py

Needs the test extras (the tree is built with the test factories).
"""

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2026


def build(members: int):
    from django.db import connection

    from bench.import_members import build_tree
    from zuzhi.appraisal.models import AppraisalRound, AppraisalSubject, RoundStatus
    from zuzhi.core.idnumber import check_char
    from zuzhi.members.models import Member
    from zuzhi.orglife.models import Meeting, MeetingAbsence
    from zuzhi.orgs.figures import org_figures_refresh_all
    from zuzhi.points.models import PointEntry, PointRule, RuleSource

    rng = random.Random(7)
    actor, branches = build_tree(rng)
    rows = []
    for i in range(members):
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=i // 900)
        first17 = f"411330{born:%Y%m%d}{i % 900:03d}"
        rows.append(
            Member(
                name=f"党员{i}",
                id_number=first17 + check_char(first17),
                gender="1",
                ethnicity="01",
                birth_date=datetime.date(1970, 1, 1),
                join_date=datetime.date(1995, 1, 1),
                status="full",
                organization=branches[i % len(branches)],
            )
        )
    Member.objects.bulk_create(rows, batch_size=2000)
    by_branch: dict[int, list[int]] = {}
    for pk, org in Member.objects.values_list("pk", "organization_id"):
        by_branch.setdefault(org, []).append(pk)
    Through = Meeting.attendees.through
    attendances, absences = [], []
    for branch in branches:
        mine = by_branch[branch.pk]
        for month in range(1, 13):
            meeting = Meeting.objects.create(
                organization=branch,
                kind="committee",
                date=datetime.date(YEAR, month, 10),
                topic="例会",
            )
            for pk in mine:
                if rng.random() < 0.9:
                    attendances.append(Through(meeting_id=meeting.pk, member_id=pk))
                elif rng.random() < 0.5:
                    absences.append(MeetingAbsence(meeting=meeting, member_id=pk, reason="缺席"))
        appraisal = AppraisalRound.objects.create(
            organization=branch, year=YEAR, status=RoundStatus.PUBLISHED
        )
        AppraisalSubject.objects.bulk_create(
            AppraisalSubject(
                round=appraisal,
                member_id=pk,
                grade=rng.choice(["excellent", "qualified", "qualified", "basic", "unqualified"]),
            )
            for pk in mine
        )
    Through.objects.bulk_create(attendances, batch_size=5000)
    MeetingAbsence.objects.bulk_create(absences, batch_size=5000)
    manual = list(PointRule.objects.filter(source=RuleSource.MANUAL))
    PointEntry.objects.bulk_create(
        (
            PointEntry(
                member_id=pk,
                rule=rule,
                year=YEAR,
                day=datetime.date(YEAR, 5, 1),
                points=rule.points,
                reason="登记",
            )
            for pks in by_branch.values()
            for pk in pks
            if rng.random() < 0.3
            for rule in [rng.choice(manual)]
        ),
        batch_size=5000,
    )
    # Written in bulk: the organizations' kept member counts, as `refresh-org-figures` would.
    org_figures_refresh_all()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return actor, len(attendances), len(absences)


def run(members: int, repeat: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection

    from zuzhi.points.selectors import branch_points, member_points
    from zuzhi.points.tally import points_refresh_all

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    actor, attended, absent = build(members)
    print(
        f"[{connection.vendor}] built {members:,} members in 300 branches, {attended:,} attendances,"
        f" {absent:,} absences in {time.perf_counter() - t0:.0f} s"
    )
    # Written in bulk as a fixture: the kept yearly points are computed as the worker would,
    # then once more over the kept rows, as after a change of the rules.
    for what in ("computed", "recomputed"):
        t0 = time.perf_counter()
        done = points_refresh_all(years=[YEAR])
        took = time.perf_counter() - t0
        print(
            f"[{connection.vendor}] kept points of {done:,} members for one year {what} in"
            f" {took:.1f} s ({done / took:,.0f} members a second)"
        )
    pages, summaries = [], []
    for number in range(1, repeat + 1):
        t = time.perf_counter()
        rows = member_points(user=actor, year=YEAR)
        page = Paginator(rows, 50).get_page(number * 37)
        shown = [(r.member.name, r.total) for r in page]
        pages.append(time.perf_counter() - t)
        assert len(shown) == 50
        t = time.perf_counter()
        summary = Paginator(branch_points(user=actor, year=YEAR), 50).get_page(number % 6 + 1)
        shown = [(b.organization.name, b.average) for b in summary]
        summaries.append(time.perf_counter() - t)
        assert summary.paginator.count == 300 and len(shown) == 50
    print(
        f"[{connection.vendor}] one page of 50 of {members:,} members: median"
        f" {statistics.median(pages) * 1000:.0f} ms over {repeat} runs"
        f" (min {min(pages) * 1000:.0f} ms); a page of the branch summary: median"
        f" {statistics.median(summaries) * 1000:.0f} ms"
    )


def run_child(database_url: str, args) -> int:
    env = {**os.environ, "ZUZHI_DATABASE_URL": database_url, "ZUZHI_DEBUG": "1", "BENCH_CHILD": "1"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "zuzhi.settings")
    cmd = [sys.executable, __file__, "--members", str(args.members), "--repeat", str(args.repeat)]
    return subprocess.call(cmd, env=env, cwd=ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=16_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if os.environ.get("BENCH_CHILD"):
        sys.path.insert(0, str(ROOT))
        run(args.members, args.repeat)
        return 0
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ZUZHI_VAR_DIR"] = tmp
        status |= run_child(f"sqlite:///{tmp}/bench.sqlite3", args)
    pg_url = os.environ.get("ZUZHI_BENCH_PG_URL")
    if pg_url:
        import psycopg

        admin = psycopg.connect(pg_url, autocommit=True)
        admin.execute("DROP DATABASE IF EXISTS zuzhi_bench_points")
        admin.execute("CREATE DATABASE zuzhi_bench_points")
        try:
            status |= run_child(pg_url.rsplit("/", 1)[0] + "/zuzhi_bench_points", args)
        finally:
            admin.execute("DROP DATABASE IF EXISTS zuzhi_bench_points")
            admin.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
