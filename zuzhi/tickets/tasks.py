"""Background tasks of tickets (django-tasks; `zuzhi db_worker` runs them). The escalation
pass is meant to run every few minutes (5 suggested): enqueue `escalate_tickets` from cron or
a systemd timer, or run `zuzhi escalate-tickets` from it directly."""

from django_tasks import task

from .escalation import escalate_overdue


@task()
def escalate_tickets() -> dict[str, int]:
    return {str(k): v for k, v in escalate_overdue().by_level.items()}
