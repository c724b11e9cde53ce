"""Benchmark: scoring and ranking 150,000 entrants on 20 indicators (target: under 2 s).

Builds a contest with one indicator stage of 20 indicators (two levels, every normalization:
min–max both directions, rank, target ratio with a cap, raw) and 150,000 entrants with a
value each, in a fresh database; then times `contest_standings`, the function that
result_compute runs: leaf scores, the weighted tree, the final score, ranking with ties
explained, tiers and lists. Prints the median of a few runs, and apart from it the time to
format the result rows that result_compute then stores.

    .venv/bin/python bench/ranking.py [--entrants 150000] [--repeat 3]
    ZUZHI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/ranking.py
"""

import argparse
import statistics
import sys
import time
from decimal import Decimal

from harness import is_child, on_each_database

INDICATORS = 20


def indicator_specs():
    methods = [
        {"method": "minmax"},
        {"method": "minmax", "direction": "lower"},
        {"method": "rank"},
        {"method": "target", "target": "500", "cap": "120"},
        {"method": "raw", "cap": "100"},
    ]
    groups = []
    for g in range(4):
        children = [
            {"name": f"指标{g + 1}.{i + 1}", "weight": "20", **methods[(g + i) % len(methods)]}
            for i in range(INDICATORS // 4)
        ]
        groups.append({"name": f"一级指标{g + 1}", "weight": "25", "children": children})
    return groups


def build(entrants: int):
    from django.db import connection

    from zuzhi.accounts.models import RoleAssignment, User
    from zuzhi.contests import services
    from zuzhi.contests.models import Entrant, Indicator, IndicatorValue
    from zuzhi.core.roles import Role
    from zuzhi.core.scope import path_segment
    from zuzhi.orgs.models import Organization

    county = Organization.objects.create(
        id=1,
        code="C",
        name="县委",
        org_type="county_committee",
        unit_category="county",
        path=path_segment(1),
        depth=1,
    )
    orgs = [
        Organization(
            id=pk,
            code=f"V{pk}",
            name=f"村{pk}",
            org_type="branch",
            unit_category="village",
            parent_id=1,
            path=county.path + path_segment(pk),
            depth=2,
        )
        for pk in range(2, entrants + 2)
    ]
    Organization.objects.bulk_create(orgs, batch_size=5000)
    actor = User.objects.create_user(username="bench", password="x")
    RoleAssignment.objects.create(user=actor, role=Role.COUNTY_STAFF, organization=county)
    contest = services.contest_create(
        actor=actor,
        organization=county,
        data={
            "name": "综合指数",
            "track": "village",
            "period_label": "2026",
            "red_list_size": 10,
            "black_list_size": 10,
            "top_n": 100,
            "tiers": [{"name": "好", "min": "80"}, {"name": "一般", "min": "0"}],
        },
        stages=[
            {
                "kind": "indicators",
                "name": "综合指标",
                "weight": Decimal(100),
                "indicators": indicator_specs(),
            }
        ],
    )
    Entrant.objects.bulk_create(
        (
            Entrant(contest=contest, organization_id=o.pk, name=o.name, number=i)
            for i, o in enumerate(orgs, start=1)
        ),
        batch_size=5000,
    )
    leaves = [i.pk for i in Indicator.objects.filter(stage__contest=contest, parent__isnull=False)]
    # Values from a fixed formula of the ids, so both databases get the same data quickly.
    table = IndicatorValue._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (indicator_id, entrant_id, scaled, note, evidence, entered_at) "
            "SELECT i.id, e.id, ((e.id * 7919 + i.id * 104729) %% 100003) * 100, '', '', %s "
            f"FROM {Entrant._meta.db_table} e CROSS JOIN {Indicator._meta.db_table} i "
            "WHERE e.contest_id = %s AND i.id IN (" + ",".join(map(str, leaves)) + ")",
            [time.strftime("%Y-%m-%d %H:%M:%S+00:00"), contest.pk],
        )
    contest.status = "running"
    contest.save(update_fields=["status"])
    # Statistics and the visibility map, as autovacuum leaves them on a live database after
    # a bulk load (without it PostgreSQL cannot scan the index alone).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return contest


def run(entrants: int, repeat: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from zuzhi.contests.models import IndicatorValue
    from zuzhi.contests.selectors import contest_standings

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    contest = build(entrants)
    values = IndicatorValue.objects.filter(indicator__stage__contest=contest).count()
    print(
        f"[{connection.vendor}] built {entrants:,} entrants × {INDICATORS} indicators "
        f"({values:,} values) in {time.perf_counter() - t0:.0f} s"
    )
    timings = []
    for _ in range(repeat):
        t = time.perf_counter()
        standings = contest_standings(contest=contest)
        timings.append(time.perf_counter() - t)
        assert not standings.problems, standings.problems[:3]
        assert len(standings.places) == entrants
    t = time.perf_counter()
    rows = standings.rows
    formatting = time.perf_counter() - t
    print(
        f"[{connection.vendor}] scored and ranked: median {statistics.median(timings):.2f} s "
        f"over {repeat} runs (min {min(timings):.2f} s)  (target < 2 s); "
        f"first place {rows[0]['final']}, last {rows[-1]['final']}; "
        f"then {formatting:.2f} s to format the {len(rows):,} result rows for storage"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entrants", type=int, default=150_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if is_child():
        run(args.entrants, args.repeat)
        return 0
    return on_each_database(__file__, "zuzhi_bench_ranking")


if __name__ == "__main__":
    sys.exit(main())
