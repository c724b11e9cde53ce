"""Background tasks of the home figures (django-tasks; `zuzhi db_worker` runs them)."""

from django.contrib.auth import get_user_model
from django_tasks import task

from .services import home_figures_keep, home_figures_refresh_all


@task()
def refresh_home_figures(user_id: int | None = None) -> dict[str, int]:
    """Recount one user's kept home (a recount they asked for), or every wide user's."""
    if user_id is None:
        return home_figures_refresh_all()
    # Only a home still kept: `refresh-home-figures` may have dropped it since it was asked for.
    user = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True, home_figures__isnull=False)
        .first()
    )
    if user is None:
        return {"kept": 0, "dropped": 0}
    home_figures_keep(user=user)
    return {"kept": 1, "dropped": 0}
