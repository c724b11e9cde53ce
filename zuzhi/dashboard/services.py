"""Keeping the home figures of wide scopes (首页统计快照), run by the worker.

`refresh-home-figures` (cron, every 15 minutes suggested) finds the organizations whose
subtree holds more than `ZUZHI_HOME_LIVE_MAX_MEMBERS` members, counts the home page of every
active user with a data role on one of them, as that user, and drops the figures of users no
longer so wide. A user may ask for a recount of their own (`home_figures_request`)."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Length, Substr
from django.utils import timezone

from zuzhi.core.roles import DATA_ROLES
from zuzhi.core.scope import PATH_STEP
from zuzhi.orgs.models import Organization

from .models import HomeFigures
from .selectors import encode, home_figures, scope_signature


def wide_roots(*, limit: int | None = None) -> list[str]:
    """Paths of the organizations whose subtree keeps more than `limit` members (default
    ZUZHI_HOME_LIVE_MAX_MEMBERS), from the kept figures, one grouped query per level down to
    the first level where none is that wide."""
    limit = settings.ZUZHI_HOME_LIVE_MAX_MEMBERS if limit is None else limit
    found: list[str] = []
    depth = 1
    while True:
        size = depth * PATH_STEP
        rows = (
            Organization.objects.annotate(length=Length("path"))
            .filter(length__gte=size)
            .annotate(prefix=Substr("path", 1, size))
            .values("prefix")
            .annotate(members=Sum("figures__members"))
            .filter(members__gt=limit)
            .order_by()
            .values_list("prefix", flat=True)
        )
        level = list(rows)
        if not level:
            return sorted(found)
        found += level
        depth += 1


def home_figures_keep(*, user) -> HomeFigures:
    """Count the user's home now, as the user, and keep it. The figures are as of when the
    count began: a recount asked for while it ran stays pending until the next one."""
    counted_at = timezone.now()
    started = time.perf_counter()
    data = encode(home_figures(user=user))
    took = round((time.perf_counter() - started) * 1000)
    kept, _ = HomeFigures.objects.update_or_create(
        user=user,
        defaults={
            "computed_at": counted_at,
            "took_ms": took,
            "scope": scope_signature(user),
            "data": data,
        },
    )
    return kept


def home_figures_refresh_all(*, limit: int | None = None) -> dict[str, int]:
    """Recount the home of every user whose data role sits on a wide organization; drop the
    kept figures of everyone else. Returns {"kept": …, "dropped": …}."""
    User = get_user_model()
    roots = wide_roots(limit=limit)
    users = list(
        User.objects.filter(
            is_active=True,
            role_assignments__role__in=DATA_ROLES,
            role_assignments__organization__path__in=roots,
        )
        .distinct()
        .order_by("pk")
    )
    for user in users:
        home_figures_keep(user=user)
    dropped, _ = HomeFigures.objects.exclude(user__in=[u.pk for u in users]).delete()
    return {"kept": len(users), "dropped": dropped}


def home_figures_request(*, user) -> str:
    """Ask the worker to recount the user's kept home: "requested"; "pending" when a recount
    is already waiting (asking twice enqueues once); "live" when nothing is kept (the home is
    counted on each request)."""
    from .tasks import refresh_home_figures

    with transaction.atomic():
        kept = HomeFigures.objects.select_for_update().filter(user=user).first()
        if kept is None:
            return "live"
        if kept.requested_at and kept.requested_at > kept.computed_at:
            return "pending"
        kept.requested_at = timezone.now()
        kept.save(update_fields=["requested_at"])
        transaction.on_commit(lambda: refresh_home_figures.enqueue(user_id=user.pk))
    return "requested"
