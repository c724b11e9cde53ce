"""Background tasks of member points (django-tasks; `zuzhi db_worker` runs them)."""

from django_tasks import task

from .tally import points_refresh_all


@task()
def refresh_points(years: list[int] | None = None) -> None:
    points_refresh_all(years=years)
