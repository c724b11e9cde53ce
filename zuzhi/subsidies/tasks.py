"""Background tasks of the subsidy ledger (django-tasks; `zuzhi db_worker` runs them)."""

from django_tasks import task

from .payroll import subsidy_run_execute


@task()
def compute_subsidy_run(run_id: int) -> None:
    subsidy_run_execute(run_id=run_id)
