"""Background tasks (django-tasks; the database backend's `zuzhi db_worker` runs them)."""

from django_tasks import task

from .imports import import_job_run


@task()
def run_import_job(job_id: str) -> None:
    import_job_run(job_id=job_id)
