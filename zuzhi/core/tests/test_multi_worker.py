"""Several `db_worker` processes (on different machines) share one queue: django-tasks-db
claims a task with SELECT … FOR UPDATE SKIP LOCKED and marks it running in the same
transaction, so no task runs twice. PostgreSQL only: that is where workers on several
machines meet (SQLite serves one machine, and its worker's claim is an exclusive transaction).
"""

import threading
import time

import pytest
from django.db import connection, connections
from django_tasks import task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks with SKIP LOCKED are PostgreSQL's"
)

RUNS: list[tuple[int, str]] = []
_runs_lock = threading.Lock()


@task()
def record_run(n: int) -> None:
    with _runs_lock:
        RUNS.append((n, threading.current_thread().name))
    time.sleep(0.005)  # long enough for the other workers to look for work meanwhile


def work(worker_id: str) -> None:
    try:
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        ).run()
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_three_workers_run_each_task_exactly_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    RUNS.clear()
    for n in range(120):
        record_run.enqueue(n)
    workers = [threading.Thread(target=work, args=[f"w{i}"], name=f"w{i}") for i in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert sorted(n for n, _ in RUNS) == list(range(120))
    assert len({name for _, name in RUNS}) > 1  # the work was shared, not done by one
    results = DBTaskResult.objects.all()
    assert results.count() == 120
    assert all(len(result.worker_ids) == 1 for result in results)
    assert not results.exclude(status="SUCCESSFUL").exists()
