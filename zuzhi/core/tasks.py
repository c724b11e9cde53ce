"""Background tasks (django-tasks; the database backend's `zuzhi db_worker` runs them)."""

from django_tasks import task

from .export_jobs import export_job_run
from .imports import import_job_run


@task()
def run_import_job(job_id: str) -> None:
    import_job_run(job_id=job_id)


@task()
def run_export_job(job_id: str) -> None:
    export_job_run(job_id=job_id)
