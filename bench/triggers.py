"""Benchmark: the five triggers (五个即调) over 5,000 cadres with a year of history each, a
city's size (target: under 2 s on SQLite and PostgreSQL).

Builds, in a fresh database and without the services (a fixture, no audit): a city of 10
counties × 20 townships, each township with a committee team of 10 posts (one in 20 vacant for
two months) and 25 cadres; a year of history per cadre: 8 archive entries, 4 three-ones
problems of mixed aspects, grades for two years, a supervision record for one in 50; four
quarterly indexes published over the 200 townships; a closed democratic appraisal of every
team. Then times `triggers_evaluate` over everything twice: the first run opens the cases,
the second finds nothing new (what the daily run costs on most days).

    .venv/bin/python bench/triggers.py [--cadres 5000] [--repeat 3]
    ZUZHI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/triggers.py
"""

import argparse
import datetime
import random
import statistics
import sys
import time
from decimal import Decimal

from harness import is_child, on_each_database

COUNTIES, TOWNSHIPS, POSTS = 10, 20, 10
TODAY = datetime.date(2026, 12, 5)


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def build(cadres: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from zuzhi.archive.models import ArchiveEntry, SupervisionRecord
    from zuzhi.cadres.models import (
        AnnualAssessment,
        Cadre,
        LeadershipTeam,
        PostHolding,
        TeamPost,
    )
    from zuzhi.contests.models import Contest, Entrant, ResultRow, ResultVersion
    from zuzhi.core.scope import SYSTEM
    from zuzhi.orgs.models import OrgType, UnitCategory
    from zuzhi.team_appraisal.models import TeamAppraisal, TeamAppraisalResult
    from zuzhi.testing.factories import OrganizationFactory, valid_id_number
    from zuzhi.three_ones.models import Contact, Problem, ProblemType
    from zuzhi.three_ones.services import problem_types_load_defaults

    rng = random.Random(14)
    city = OrganizationFactory(
        code="CITY",
        name="示范市委",
        org_type=OrgType.COUNTY_COMMITTEE,
        unit_category=UnitCategory.COUNTY,
    )
    townships = []
    for c in range(COUNTIES):
        county = OrganizationFactory(
            parent=city, code=f"C{c}", name=f"第{c}县委", org_type=OrgType.COUNTY_COMMITTEE
        )
        for t in range(TOWNSHIPS):
            townships.append(
                OrganizationFactory(
                    parent=county,
                    code=f"C{c}T{t}",
                    name=f"第{c}县第{t}镇党委",
                    org_type=OrgType.COMMITTEE,
                    unit_category=UnitCategory.TOWNSHIP,
                )
            )
    teams = LeadershipTeam.objects.bulk_create(
        LeadershipTeam(organization=o, kind="township_committee", name=f"{o.name}班子")
        for o in townships
    )
    posts = TeamPost.objects.bulk_create(
        TeamPost(
            team=team,
            title="书记" if p == 0 else f"委员{p}",
            leadership_level="township_chief" if p == 0 else "township_deputy",
            vacant_since=days_ago(60) if rng.random() < 0.05 and p else None,
        )
        for team in teams
        for p in range(POSTS)
    )
    per_town = cadres // len(townships)
    people = Cadre.objects.bulk_create(
        (
            Cadre(
                organization=townships[i // per_town],
                name=f"干部{i}",
                id_number=valid_id_number(birth="19800101", sequence=i % 1000)[:-4]
                + f"{i:04d}"[-4:],
                birth_date=datetime.date(1980, 1, 1),
            )
            for i in range(per_town * len(townships))
        ),
        batch_size=2000,
    )
    by_town = {}
    for cadre in people:
        by_town.setdefault(cadre.organization_id, []).append(cadre)
    PostHolding.objects.bulk_create(
        (
            PostHolding(
                cadre=by_town[post.team.organization_id][n % per_town],
                organization_id=post.team.organization_id,
                team_post=post,
                title=post.title,
                leadership_level=post.leadership_level,
                start=days_ago(900),
            )
            for n, post in enumerate(posts)
            if post.vacant_since is None
        ),
        batch_size=2000,
    )
    kinds = ["achievement", "honour", "key_task", "ranking"]
    ArchiveEntry.objects.bulk_create(
        (
            ArchiveEntry(
                cadre=c,
                date=days_ago(rng.randint(1, 365)),
                kind=kinds[0] if rng.random() < 0.5 else rng.choice(kinds),
                text="年度重点工作",
            )
            for c in people
            for _ in range(8)
        ),
        batch_size=5000,
    )
    problem_types_load_defaults(actor=SYSTEM)
    types = list(ProblemType.objects.all())
    contacts = {}
    for team in teams:
        contacts[team.organization_id] = Contact.objects.bulk_create(
            Contact(
                kind="monthly_visit",
                date=days_ago(30 * m + 5),
                team=team,
                recorder_name="干部科",
                summary="走访",
            )
            for m in range(12)
        )
    Problem.objects.bulk_create(
        (
            Problem(
                contact=contact,
                cadre=c,
                problem_type=rng.choice(types),
                found_on=contact.date,
                description="表现",
            )
            for c in people
            for contact in rng.sample(contacts[c.organization_id], 4)
        ),
        batch_size=5000,
    )
    grades = ["excellent", "competent", "competent", "competent", "basically"]
    AnnualAssessment.objects.bulk_create(
        (
            AnnualAssessment(cadre=c, year=year, result=rng.choice(grades))
            for c in people
            for year in (2024, 2025)
        ),
        batch_size=5000,
    )
    SupervisionRecord.objects.bulk_create(
        SupervisionRecord(
            cadre=c,
            kind="admonishment",
            date=days_ago(rng.randint(1, 300)),
            source="纪委",
            text="诫勉",
        )
        for c in people
        if rng.random() < 0.02
    )
    for quarter in range(4):
        contest = Contest.objects.create(
            organization=city,
            name=f"第{quarter + 1}季度综合指数",
            track="township",
            period_label=f"2026Q{quarter + 1}",
            status="published",
        )
        entrants = Entrant.objects.bulk_create(
            Entrant(contest=contest, organization=o, name=o.name, number=n)
            for n, o in enumerate(townships, start=1)
        )
        version = ResultVersion.objects.create(
            contest=contest,
            number=1,
            status="published",
            published_at=timezone.make_aware(
                datetime.datetime.combine(days_ago(300 - 90 * quarter), datetime.time(10))
            ),
        )
        order = rng.sample(entrants, len(entrants))
        ResultRow.objects.bulk_create(
            ResultRow(
                version=version,
                entrant=e,
                stage_scores={},
                adjustment=Decimal(0),
                final=Decimal(100 - rank / 10),
                rank=rank,
            )
            for rank, e in enumerate(order, start=1)
        )
    for team in teams:
        appraisal = TeamAppraisal.objects.create(
            team=team, year=2026, opened_on=days_ago(100), status="closed", closed_on=days_ago(99)
        )
        TeamAppraisalResult.objects.bulk_create(
            TeamAppraisalResult(
                appraisal=appraisal,
                cadre=c,
                closed_on=appraisal.closed_on,
                approval=Decimal(approval),
                unfit=Decimal("0.05"),
                below_approval=Decimal(approval) * 3 < 2,
                counts={},
            )
            for c, approval in (
                (c, rng.choice(["0.9", "0.8", "0.7", "0.6"])) for c in by_town[team.organization_id]
            )
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def run(cadres: int, repeat: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from zuzhi.adjustments.models import AdjustmentCase, CaseCause
    from zuzhi.adjustments.services import triggers_evaluate
    from zuzhi.cadres.models import Cadre

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    build(cadres)
    print(
        f"[{connection.vendor}] built {Cadre.objects.count():,} cadres with a year of history "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    first, again = [], []
    for _ in range(repeat):
        AdjustmentCase.objects.all().delete()
        t = time.perf_counter()
        opened = triggers_evaluate(today=TODAY)
        first.append(time.perf_counter() - t)
        t = time.perf_counter()
        nothing = triggers_evaluate(today=TODAY)
        again.append(time.perf_counter() - t)
        assert not nothing.opened and not nothing.joined
    counts = dict(
        AdjustmentCase.objects.values("trigger").annotate(n=Count("pk")).values_list("trigger", "n")
    )
    print(
        f"[{connection.vendor}] all five triggers: first run (opens {len(opened.opened):,} cases, "
        f"{CaseCause.objects.count():,} causes) median {statistics.median(first):.2f} s; "
        f"a run with nothing new median {statistics.median(again):.2f} s (target < 2 s); "
        f"cases by trigger {counts}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if is_child():
        run(args.cadres, args.repeat)
        return 0
    return on_each_database(__file__, "zuzhi_bench_triggers")


if __name__ == "__main__":
    sys.exit(main())
