"""What the login pages keep in the session between steps: the login waiting for its code,
and the record and browser binding of a completed login. Adapters over sessions.py."""

import time

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme

from zuzhi.core.context import client_ip

from . import sessions
from .models import User

PENDING = "two_factor_pending"
# The login's history row, a digest of the browser that logged in, and when the row's
# 最近活动 was last written (middleware.SessionGuardMiddleware).
LOGIN_KEY = "zuzhi_login"
AGENT_KEY = "zuzhi_agent"
SEEN_KEY = "zuzhi_seen"


def safe_next(request) -> str:
    """The page after the login: `next` when it is on this site, else the home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return "/"
    return target


def pending_start(request, user) -> None:
    """The password was right; the login waits for the code (two_factor_views)."""
    request.session[PENDING] = {"user": user.pk, "at": time.time(), "backend": user.backend}


def pending_user(request) -> User | None:
    """The account whose password was just given, within the few minutes allowed."""
    pending = request.session.get(PENDING)
    if not pending:
        return None
    if time.time() - pending["at"] > settings.ZUZHI_OTP_PENDING_MINUTES * 60:
        del request.session[PENDING]
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def pending_backend(request) -> str:
    return request.session[PENDING]["backend"]


def pending_end(request) -> None:
    request.session.pop(PENDING, None)


def session_bind(request, user) -> None:
    """Record the login that just completed, and bind its session to this browser."""
    agent = request.META.get("HTTP_USER_AGENT", "")
    row = sessions.session_open(
        user=user,
        session_key=request.session.session_key,
        ip=client_ip(request),
        user_agent=agent,
    )
    request.session[LOGIN_KEY] = row.pk
    request.session[AGENT_KEY] = sessions.agent_digest(agent)
    request.session[SEEN_KEY] = time.time()
