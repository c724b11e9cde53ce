"""Benchmark: the tamper-evident audit log (issue #19) at import size.

In a fresh database (migrated with the production settings, so the database's guard is in
place): `--rows` audit rows written by `audit_bulk_record` in one transaction, as an import
writes them, then sealed after its commit as `audit_seal_after_commit` does; the same number
written one at a time by `audit_record` in one transaction; and `audit_verify` over all of
them. Prints each step's wall time, rate and the process's CPU time.

    .venv/bin/python bench/audit_chain.py [--rows 100000]
    ZUZHI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/audit_chain.py
"""

import argparse
import sys
import time

from harness import is_child, on_each_database


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def timed(label: str, rows: int, started: tuple[float, float]) -> None:
    """Wall time, and this process's CPU time (on PostgreSQL the server's is not in it)."""
    wall, cpu = (now - then for now, then in zip(clock(), started, strict=True))
    print(f"  {label:<46} {wall:7.2f} s {rows / wall:>9,.0f} rows/s   cpu {cpu:6.2f} s")


def run(rows: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from zuzhi.core.audit import audit_bulk_record, audit_record
    from zuzhi.core.audit_guard import audit_guard_installed
    from zuzhi.core.audit_verify import audit_verify
    from zuzhi.core.models import AuditAction, AuditPending, AuditSeal
    from zuzhi.core.scope import SYSTEM
    from zuzhi.testing.factories import OrganizationFactory

    call_command("migrate", verbosity=0)
    settings.DEBUG = False  # no query log: production's cost
    assert audit_guard_installed(connection)
    org = OrganizationFactory(code="B", name="李庄村党支部")
    items = [
        (
            org,
            org.path,
            {
                "name": f"党员{i}",
                "id_number": f"41133019700101{i % 10000:04d}",
                "gender": "1",
                "join_date": "2001-07-01",
                "status": "full",
                "organization_id": org.pk,
            },
        )
        for i in range(rows)
    ]
    print(f"{connection.vendor}, {rows:,} rows")

    started = clock()
    with transaction.atomic():
        audit_bulk_record(actor=SYSTEM, action=AuditAction.IMPORT, items=items)
        timed("audit_bulk_record (rows and queue entries)", rows, started)
        committing = clock()
    timed("commit, then sealing after it", rows, committing)
    timed("both", rows, started)
    assert AuditSeal.objects.count() > rows and not AuditPending.objects.exists()

    started = clock()
    with transaction.atomic():
        for target, org_path, after in items:
            audit_record(
                actor=SYSTEM,
                action=AuditAction.UPDATE,
                target=target,
                org_path=org_path,
                after=after,
            )
        timed("audit_record, one at a time", rows, started)
        committing = clock()
    timed("commit, then sealing after it", rows, committing)

    started = clock()
    result = audit_verify()
    timed("audit_verify over everything", result.verified, started)
    assert result.ok, result.report()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if is_child():
        run(args.rows)
        return 0
    return on_each_database(__file__, "zuzhi_bench_audit")


if __name__ == "__main__":
    sys.exit(main())
