"""Benchmark: importing 100,000 members through the real Excel import path.

Prints rows per second of the import (preview + confirm, as a user does it), the rate of a raw
bulk insert of the same rows measured in the same run on the same database, their ratio
(target ≥ 0.5 on SQLite, with every check of real government spreadsheets), and the peak memory
of the process (target < 500 MB). Needs the test extras (`pip install -e .[test]`, which
./scripts/test.sh installs): the tree is built with the test factories.

    .venv/bin/python bench/import_members.py [--rows 100000]
    ZUZHI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_members.py
"""

import argparse
import datetime
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_tree(rng):
    from zuzhi.core.roles import Role
    from zuzhi.testing.factories import OrganizationFactory, user_with_role

    county = OrganizationFactory(
        code="C", name="县委", org_type="county_committee", unit_category="county"
    )
    town = OrganizationFactory(
        parent=county, code="T", name="镇党委", org_type="committee", unit_category="township"
    )
    branches = [
        OrganizationFactory(
            parent=town, code=f"B{i:03d}", name=f"第{i}村党支部", unit_category="village"
        )
        for i in range(300)
    ]
    return user_with_role(Role.TOWNSHIP_STAFF, town, username="bench"), branches


BRANCH_CODES = [f"B{i:03d}" for i in range(300)]


def member_rows(rng, count, branch_codes):
    from zuzhi.core.idnumber import check_char

    used = set()
    for i in range(count):
        born = datetime.date(rng.randint(1940, 2000), rng.randint(1, 12), rng.randint(1, 28))
        while True:
            first17 = f"41{rng.randint(1000, 9999)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
            number = first17 + check_char(first17)
            if number not in used:
                used.add(number)
                break
        joined = datetime.date(born.year + 20, born.month, born.day)
        yield {
            "姓名": f"党员{i}",
            "公民身份号码": number,
            "民族": "汉族",
            "学历": "高中",
            "入党日期": joined,
            "转正日期": datetime.date(joined.year + 1, joined.month, joined.day),
            "党员状态": "正式党员",
            "所在党组织代码": branch_codes[i % len(branch_codes)],
            "人员类别": "农牧渔民",
            "联系电话": f"139{i:08d}",
            "工作单位及职务": "",
        }


def write_xlsx(rows, headers) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for c, h in enumerate(headers):
        sheet.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, h in enumerate(headers):
            value = row.get(h)
            if isinstance(value, datetime.date):
                sheet.write_datetime(
                    r, c, datetime.datetime(value.year, value.month, value.day), date_format
                )
            elif value:
                sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def run(count: int, path: str) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries

    from zuzhi.core import crypto
    from zuzhi.core.audit_chain import audit_seal
    from zuzhi.core.codes import code_map
    from zuzhi.core.imports import import_job_confirm, import_job_create
    from zuzhi.core.models import AuditLog, ImportJob
    from zuzhi.members.models import Member

    call_command("migrate", verbosity=0)
    # Measured as it runs in the worker, with DEBUG off: DEBUG's log of every statement (up
    # to 9,000 of them, with their parameters written out: 60 MB here) is no part of an
    # import. The development data key DEBUG creates is made first.
    crypto.keyring()
    settings.DEBUG = False
    reset_queries()  # the migration's statements, logged while DEBUG was on
    settings.ZUZHI_IMPORT_BACKGROUND_ROWS = 10**9  # time the import itself, not a worker's wait
    settings.ZUZHI_MAX_UPLOAD_BYTES = 200 * 1024 * 1024
    actor, branches = build_tree(random.Random(5))
    by_code = {b.code: b for b in branches}
    content = Path(path).read_bytes()  # written by the parent process, so it weighs nothing here
    print(f"[{connection.vendor}] {count:,} members, file {len(content) / 1024 / 1024:.1f} MB")

    started = time.perf_counter()
    job = import_job_create(actor=actor, kind="members", filename="bench.xlsx", content=content)
    preview = time.perf_counter() - started
    assert job.status == ImportJob.Status.READY, job.errors[:3]
    job = import_job_confirm(actor=actor, job=job)
    elapsed = time.perf_counter() - started
    assert job.status == ImportJob.Status.DONE and Member.objects.count() == count, job.errors[:3]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    import_rate = count / elapsed
    # The worker seals a large import's audit rows into the hash chain after it commits, in a
    # task of its own; timed here apart from the import, as the worker would run it.
    t0 = time.perf_counter()
    sealed = audit_seal()
    sealing = time.perf_counter() - t0

    # Baseline: the same rows as Member objects, bulk-inserted with nothing else.
    ethnic = {v: k for k, v in code_map("GB3304").items()}["汉族"]
    baseline = [
        Member(
            name=m.name,
            name_initials=m.name_initials,
            id_number=m.id_number,
            gender=m.gender,
            ethnicity=ethnic,
            birth_date=m.birth_date,
            education=m.education,
            join_date=m.join_date,
            full_date=m.full_date,
            status=m.status,
            organization=by_code[m.organization.code],
            category=m.category,
            phone=m.phone,
        )
        for m in Member.objects.select_related("organization").iterator(chunk_size=5000)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Member._meta.db_table}")
    t0 = time.perf_counter()
    Member.objects.bulk_create(baseline, batch_size=2000)
    raw = time.perf_counter() - t0
    raw_rate = count / raw
    audit_rows = AuditLog.objects.filter(target_type="members.member").count()
    print(
        f"[{connection.vendor}] import: {elapsed:.1f} s ({preview:.1f} s preview + {elapsed - preview:.1f} s confirm), {import_rate:,.0f} rows/s, {audit_rows:,} audit rows"
    )
    print(
        f"[{connection.vendor}] sealing the audit rows afterwards (worker): {sealing:.1f} s, {sealed:,} rows"
    )
    print(f"[{connection.vendor}] raw bulk insert: {raw:.1f} s, {raw_rate:,.0f} rows/s")
    print(
        f"[{connection.vendor}] ratio import / raw = {import_rate / raw_rate:.2f}  (target ≥ 0.5 on SQLite)"
    )
    print(
        f"[{connection.vendor}] peak memory of the importing process: {peak_mb:.0f} MB  (target < 500 MB)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if os.environ.get("BENCH_CHILD"):
        sys.path.insert(0, str(ROOT))
        run(args.rows, os.environ["BENCH_FILE"])
        return 0
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zuzhi.settings")
    os.environ.setdefault("ZUZHI_DEBUG", "1")
    import django

    django.setup()
    from zuzhi.members.importers import COLUMNS

    env = {
        **os.environ,
        "ZUZHI_DEBUG": "1",
        "BENCH_CHILD": "1",
        "DJANGO_SETTINGS_MODULE": "zuzhi.settings",
    }
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        env["BENCH_FILE"] = f"{tmp}/members.xlsx"
        rows = member_rows(random.Random(5), args.rows, BRANCH_CODES)
        Path(env["BENCH_FILE"]).write_bytes(write_xlsx(rows, [c.header for c in COLUMNS]))
        env_sqlite = {
            **env,
            "ZUZHI_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "ZUZHI_VAR_DIR": tmp,
        }
        status |= subprocess.call(
            [sys.executable, __file__, "--rows", str(args.rows)], env=env_sqlite, cwd=ROOT
        )
        pg_url = os.environ.get("ZUZHI_BENCH_PG_URL")
        if pg_url:
            import psycopg

            admin = psycopg.connect(pg_url, autocommit=True)
            admin.execute("DROP DATABASE IF EXISTS zuzhi_bench_members")
            admin.execute("CREATE DATABASE zuzhi_bench_members")
            try:
                env_pg = {
                    **env,
                    "ZUZHI_DATABASE_URL": pg_url.rsplit("/", 1)[0] + "/zuzhi_bench_members",
                    "ZUZHI_VAR_DIR": tmp,
                }
                status |= subprocess.call(
                    [sys.executable, __file__, "--rows", str(args.rows)], env=env_pg, cwd=ROOT
                )
            finally:
                admin.execute("DROP DATABASE IF EXISTS zuzhi_bench_members")
                admin.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
