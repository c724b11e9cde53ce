"""Benchmark: the member list's Excel export of 1,000,000 members, run as an export job
(导出任务) in-process, as the task worker runs it. Target: peak memory under 300 MB.

Builds, in a throwaway SQLite database and without the services (a fixture, no audit): a county
of 20 townships with 50 branches each and `--members` members spread over them (bulk insert).
Then, in a fresh process so that the building weighs nothing, a county staff user's export of
the whole list (every member, personal data unmasked, as the worker writes it): the COUNT that
decides on the job, the job written to its file, and the process's peak resident memory.

    .venv/bin/python bench/export.py [--members 1000000]
"""

import argparse
import datetime
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOWNS, BRANCHES = 20, 50
BATCH = 10_000


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(count: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from zuzhi.core.idnumber import check_char
    from zuzhi.core.roles import Role
    from zuzhi.members.models import Member
    from zuzhi.orgs.models import OrgType, UnitCategory
    from zuzhi.testing.factories import OrganizationFactory, user_with_role

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    county = OrganizationFactory(
        code="C", name="县委", org_type=OrgType.COUNTY_COMMITTEE, unit_category=UnitCategory.COUNTY
    )
    branches = []
    for t in range(TOWNS):
        town = OrganizationFactory(
            parent=county, code=f"T{t:02d}", name=f"第{t}镇党委", org_type=OrgType.COMMITTEE
        )
        branches += [
            OrganizationFactory(
                parent=town,
                code=f"T{t:02d}B{b:02d}",
                name=f"第{t}镇第{b}村党支部",
                unit_category=UnitCategory.VILLAGE,
            )
            for b in range(BRANCHES)
        ]
    user_with_role(Role.COUNTY_STAFF, county, username="bench")
    now = timezone.now()
    first_born = datetime.date(1940, 1, 1)

    def members(start: int, stop: int):
        for i in range(start, stop):
            # A distinct ID number per member: one birth day per thousand, a sequence within it.
            born = first_born + datetime.timedelta(days=i // 1000)
            first17 = f"411330{born:%Y%m%d}{i % 1000:03d}"
            joined = datetime.date(born.year + 22, born.month, min(born.day, 28))
            yield Member(
                name=f"党员{i}",
                name_initials="dy",
                id_number=first17 + check_char(first17),
                gender="1" if i % 1000 % 2 else "2",
                ethnicity="01",
                birth_date=born,
                education="21",
                join_date=joined,
                full_date=datetime.date(joined.year + 1, joined.month, joined.day),
                status="full",
                organization=branches[i % len(branches)],
                category="farmer",
                phone=f"139{i:08d}",
                work_unit="某村村民委员会 委员",
                created_at=now,
                updated_at=now,
            )

    for start in range(0, count, BATCH):
        Member.objects.bulk_create(members(start, min(count, start + BATCH)), batch_size=BATCH)
    print(f"built {count:,} members in {time.perf_counter() - started:.0f} s")


def export() -> None:
    from django.conf import settings
    from django.http import QueryDict

    from zuzhi.accounts.models import User
    from zuzhi.core.export_jobs import export_job_create, export_job_run, exporter_for
    from zuzhi.core.models import ExportJob

    user = User.objects.get(username="bench")
    before = _rss_mb()
    started = time.perf_counter()
    params = QueryDict("")
    built = exporter_for("members")(actor=user, params=params, where="/members/")
    total = built.count()
    counted = time.perf_counter() - started
    assert total > settings.ZUZHI_EXPORT_INLINE_MAX
    job = export_job_create(
        actor=user, kind="members", params=params, where="/members/", export=built, total=total
    )
    started, cpu = time.perf_counter(), _cpu_s()
    job = export_job_run(job_id=job.pk)
    elapsed, cpu = time.perf_counter() - started, _cpu_s() - cpu
    assert job.status == ExportJob.Status.DONE, job.error
    size = (Path(settings.ZUZHI_EXPORT_DIR) / job.file_name).stat().st_size
    print(f"COUNT of {total:,} rows: {counted * 1000:.0f} ms")
    print(
        f"export job: {job.processed_rows:,} rows in {elapsed:.0f} s ({cpu:.0f} s of CPU; "
        f"{job.processed_rows / cpu:,.0f} rows per CPU second), file {size / 1024 / 1024:.0f} MB"
    )
    print(
        f"peak memory of the exporting process: {_rss_mb():.0f} MB "
        f"({before:.0f} MB before the export; target < 300 MB)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--phase", choices=("build", "export"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        build(args.members) if args.phase == "build" else export()
        return 0
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "zuzhi.settings",
            "ZUZHI_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "ZUZHI_VAR_DIR": tmp,
            "ZUZHI_DEBUG": "1",
        }
        for phase in ("build", "export"):
            command = [sys.executable, __file__, "--members", str(args.members), "--phase", phase]
            status |= subprocess.call(command, env=env, cwd=ROOT)
            if status:
                break
    return status


if __name__ == "__main__":
    sys.exit(main())
