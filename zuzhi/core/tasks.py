"""Background tasks (django-tasks; the database backend's `zuzhi db_worker` runs them)."""

from django_tasks import task

from .audit_chain import audit_seal
from .export_jobs import export_job_run
from .imports import import_job_run


@task()
def run_import_job(job_id: str) -> None:
    import_job_run(job_id=job_id)


@task()
def run_export_job(job_id: str) -> None:
    export_job_run(job_id=job_id)


@task()
def seal_audit(using: str) -> None:
    """Seal the audit rows of a large transaction into the hash chain after it committed."""
    audit_seal(using=using)
