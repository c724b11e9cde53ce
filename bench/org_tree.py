"""Benchmark: the organization tree at province scale (150,000 nodes).

Builds the tree in a fresh database, then times "all descendants of a township" and "the
subtree's counts by type" for townships, counties and the whole province through the real
selectors (org_descendants, org_type_counts) as a county staff user of that county, and prints
the query plans so the index use is visible.

    .venv/bin/python bench/org_tree.py [--nodes 150000] [--repeat 50]
    ZUZHI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/org_tree.py

SQLite always runs (a temporary file); PostgreSQL runs too when ZUZHI_BENCH_PG_URL (or a
ZUZHI_DATABASE_URL starting with postgres) names a server: a database `zuzhi_bench` is created
there and dropped afterwards, so the named database itself is never touched.
"""

import argparse
import random
import statistics
import sys
import time

from harness import is_child, on_each_database


def build_and_time(nodes: int, repeat: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from zuzhi.accounts.models import RoleAssignment, User
    from zuzhi.core.roles import Role
    from zuzhi.core.scope import PATH_STEP, path_segment, user_scope_paths
    from zuzhi.orgs.models import Organization
    from zuzhi.orgs.selectors import org_descendants, org_type_counts

    call_command("migrate", verbosity=0)
    rng = random.Random(1)
    rows: list[Organization] = []

    def add(parent, org_type, category):
        pk = len(rows) + 1
        path = (parent.path if parent else "") + path_segment(pk)
        org = Organization(
            id=pk,
            code=f"B{pk}",
            name=f"组织{pk}",
            org_type=org_type,
            unit_category=category,
            parent_id=parent.pk if parent else None,
            path=path,
            depth=len(path) // 8,
        )
        rows.append(org)
        return org

    started = time.perf_counter()
    province = add(None, "committee", "other")
    townships, counties = [], []
    while len(rows) < nodes:
        county = add(province, "county_committee", "county")
        counties.append(county)
        for _ in range(20):
            town = add(county, "committee", "township")
            townships.append(town)
            for _ in range(15):
                if rng.random() < 0.12:
                    general = add(town, "general_branch", "village")
                    for _ in range(3):
                        add(general, "branch", "village")
                else:
                    add(town, "branch", "village")
        organs = add(county, "working_committee", "government")
        for _ in range(108):
            add(organs, "branch", "government")
        for _ in range(5):
            joint = add(organs, "joint_general_branch", "government")
            for _ in range(10):
                add(joint, "joint_branch", "government")
    rows = rows[:nodes]
    Organization.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE orgs_organization")
        else:
            cursor.execute("ANALYZE")
    built = time.perf_counter() - started
    total = Organization.objects.count()
    print(f"[{connection.vendor}] built {total:,} organizations in {built:.1f} s")

    townships = [t for t in townships if t.pk <= nodes]
    counties = [c for c in counties if c.pk <= nodes]

    # Each county's department staff reads its own county, as on the pages; the province-wide
    # figure is read by a staff account on the root. Role assignments are loaded once per user
    # (as once per request), so the timings below are the tree queries themselves.
    staff = {}
    for org in [province, *counties]:
        user = User.objects.create(username=f"staff{org.pk}")
        RoleAssignment.objects.create(user=user, role=Role.COUNTY_STAFF, organization=org)
        staff[org.path] = User.objects.get(pk=user.pk)
    for user in staff.values():
        user_scope_paths(user)  # loads and caches the user's assignments

    def reader(org):
        return staff.get(org.path[: 2 * PATH_STEP], staff[province.path])

    def timed(label, make_query, targets):
        samples = []
        size = 0
        for target in (rng.choice(targets) for _ in range(repeat)):
            user = reader(target)
            t0 = time.perf_counter()
            result = make_query(user, target)
            samples.append((time.perf_counter() - t0) * 1000)
            size = len(result)
        samples.sort()
        p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
        print(
            f"[{connection.vendor}] {label:<40} median {statistics.median(samples):7.2f} ms"
            f"   p95 {p95:7.2f} ms   ({size:,} rows)"
        )

    def descendants(user, org):
        return list(org_descendants(user=user, org=org).values_list("id", flat=True))

    def counts(user, org):
        return org_type_counts(user=user, org=org)

    timed("all descendants of a township", descendants, townships)
    timed("all descendants of a county", descendants, counties)
    timed("counts by type, township subtree", counts, townships)
    timed("counts by type, county subtree", counts, counties)
    timed("counts by type, whole province", counts, [province])
    # PostgreSQL shows the plan it ran with its timings; SQLite's EXPLAIN QUERY PLAN takes no
    # options.
    options = {"analyze": True} if connection.vendor == "postgresql" else {}
    town = townships[0]
    plans = {
        "descendants of a township": org_descendants(user=reader(town), org=town).values_list(
            "id", flat=True
        ),
        "counts by type, county subtree": org_descendants(user=reader(counties[0]), org=counties[0])
        .values("org_type")
        .annotate(n=Count("id"))
        .order_by("org_type"),
    }
    for label, query in plans.items():
        plan = query.explain(**options)
        print(f"[{connection.vendor}] plan for {label}:\n  " + plan.replace("\n", "\n  "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=150_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    if is_child():
        build_and_time(args.nodes, args.repeat)
        return 0
    return on_each_database(__file__, "zuzhi_bench")


if __name__ == "__main__":
    sys.exit(main())
