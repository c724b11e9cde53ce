"""Benchmark: a month's subsidy payroll run (人才补贴发放批次) for 10,000 recipients, computed
by the worker as `zuzhi db_worker` does it (issue #17: it must finish in the worker with a
progress bar), on SQLite and PostgreSQL.

Builds, in a fresh database and without the services (a fixture, no audit): a county, 10,000
graduates of the registry with approved applications of one policy (a tenth of them left the
county, some past their 36 months), then creates the month's run as the office does (queued:
over 2,000 recipients) and times the task's body (`subsidy_run_execute`), with the progress
readings it leaves in the cache on the way; then the approval, and the finance bureau's
export of the approved run.

    .venv/bin/python bench/subsidies.py [--recipients 10000]
    ZUZHI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/subsidies.py
"""

import argparse
import datetime
import random
import sys
import time

from harness import is_child, on_each_database


def build(recipients: int) -> tuple:
    from zuzhi.core.idnumber import check_char
    from zuzhi.core.roles import Role
    from zuzhi.orgs.models import OrgType, UnitCategory
    from zuzhi.subsidies import rules
    from zuzhi.subsidies.models import ApplicationStatus, SubsidyApplication, SubsidyPolicy
    from zuzhi.talent.models import Degree, Talent, TalentStatus
    from zuzhi.testing.factories import OrganizationFactory, user_with_role

    rng = random.Random(17)
    county = OrganizationFactory(
        code="C", name="县委", org_type=OrgType.COUNTY_COMMITTEE, unit_category=UnitCategory.COUNTY
    )
    office = user_with_role(Role.TALENT_STAFF, county, username="rcb")
    policy = SubsidyPolicy.objects.create(
        county=county,
        name="青年人才生活补贴",
        amounts_fen={"doctor": 500000, "master": 300000, "bachelor": 100000},
    )
    talents = []
    for i in range(recipients):
        born = datetime.date(1995, 1, 1) + datetime.timedelta(days=i // 1000)
        first17 = f"411330{born:%Y%m%d}{i % 1000:03d}"
        arrived = datetime.date(2023, 7, 1) + datetime.timedelta(days=rng.randint(0, 1000))
        left = rng.random() < 0.1
        talents.append(
            Talent(
                county=county,
                id_number=first17 + check_char(first17),
                name=f"毕业生{i}",
                degree=rng.choice([Degree.DOCTOR, Degree.MASTER, Degree.BACHELOR]),
                arrived_on=arrived,
                status=TalentStatus.LEFT if left else TalentStatus.IN_COUNTY,
                left_on=arrived + datetime.timedelta(days=200) if left else None,
            )
        )
    Talent.objects.bulk_create(talents, batch_size=2000)
    SubsidyApplication.objects.bulk_create(
        (
            SubsidyApplication(
                policy=policy,
                talent=t,
                employer_in_county=True,
                bank_name="中国农业银行",
                bank_account=f"62284800{t.pk:011d}",
                status=ApplicationStatus.APPROVED,
                degree=t.degree,
                first_month=rules.first_paid_month(t.arrived_on),
                last_month=rules.last_paid_month(rules.first_paid_month(t.arrived_on), 36),
            )
            for t in talents
        ),
        batch_size=2000,
    )
    return office, policy


def run(recipients: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from zuzhi.subsidies import payroll, selectors
    from zuzhi.subsidies.models import SubsidyLine

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    office, policy = build(recipients)
    print(
        f"[{connection.vendor}] built {recipients:,} recipients in {time.perf_counter() - t0:.0f} s"
    )
    month = datetime.date(2026, 5, 1)
    created = payroll.subsidy_run_create(
        actor=office, policy=policy, month=month, today=datetime.date(2026, 5, 20)
    )
    readings = []
    original = payroll.caches["progress"].set

    def watched_set(key, value, *args, **kwargs):
        readings.append(value)
        return original(key, value, *args, **kwargs)

    payroll.caches["progress"].set = watched_set
    t = time.perf_counter()
    done = payroll.subsidy_run_execute(run_id=created.pk)
    computed = time.perf_counter() - t
    payroll.caches["progress"].set = original
    paid = SubsidyLine.objects.filter(run=done, amount_fen__gt=0).count()
    stopped = SubsidyLine.objects.filter(run=done, amount_fen=0).count()
    print(
        f"[{connection.vendor}] run queued as {created.get_status_display()}; the worker computed "
        f"{paid:,} paid and {stopped:,} stopped lines in {computed:.2f} s; the progress bar moved "
        f"{len(readings)} times (last {readings[-1] if readings else 0:,})"
    )
    t = time.perf_counter()
    approved = payroll.subsidy_run_approve(actor=office, run=done)
    approving = time.perf_counter() - t
    t = time.perf_counter()
    rows = list(selectors.export_lines(run=approved))
    exporting = time.perf_counter() - t
    print(
        f"[{connection.vendor}] approval {approving:.2f} s; the export's {len(rows):,} lines read in "
        f"{exporting:.2f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    args = parser.parse_args()
    if is_child():
        run(args.recipients)
        return 0
    return on_each_database(__file__, "zuzhi_bench_subsidies")


if __name__ == "__main__":
    sys.exit(main())
