"""Background tasks of the cadre registry (django-tasks; `zuzhi db_worker` runs them)."""

from django_tasks import task

from .lrmx_queue import lrmx_run


@task()
def run_lrmx_import(import_id: str) -> None:
    lrmx_run(import_id=import_id)
