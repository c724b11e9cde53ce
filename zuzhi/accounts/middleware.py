import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from zuzhi.core.context import client_ip

from . import sessions
from .models import SessionEnd
from .selectors import second_factor_enrolled
from .services import password_expired
from .two_factor import two_factor_required

# Binding the app is the one page a user who must bind it can open.
TWO_FACTOR_SETUP = "/accounts/2fa/setup/"
# Only what a user needs to change the password (and the no-login ballot page) stays open.
EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password/",
    "/static/",
    "/api/",
    "/appraisal/vote/",
    "/gongshi/",  # the public quarterly publication: no session read, cacheable
)


class PasswordExpiryMiddleware:
    """Sends a user whose password has expired to the change-password page first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # The path first: an exempt page (a public one) must not open the session.
        if (
            not request.path.startswith(EXEMPT_PREFIXES)
            and user is not None
            and user.is_authenticated
            and password_expired(user=user)
        ):
            return redirect(reverse("accounts:password_change"))
        return self.get_response(request)


class TwoFactorMiddleware:
    """Sends a user whose role requires a second factor (two_factor.two_factor_required) to
    bind an authenticator app, or to enter its code, before any other page. A session
    verified by a code carries the device (django_otp.middleware.OTPMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            not request.path.startswith(EXEMPT_PREFIXES + (TWO_FACTOR_SETUP,))
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
        ):
            if second_factor_enrolled(user=user):
                next_page = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:login_verify')}?{next_page}")
            if two_factor_required(user=user):
                return redirect(reverse("accounts:two_factor_setup"))
        return self.get_response(request)


# Session keys this middleware keeps: the login's history row, a digest of the browser that
# logged in, and when the row's 最近活动 was last written.
LOGIN_KEY = "zuzhi_login"
AGENT_KEY = "zuzhi_agent"
SEEN_KEY = "zuzhi_seen"
# Pages that never read the session (public, cacheable, or not cookie-authenticated).
UNGUARDED_PREFIXES = ("/static/", "/api/", "/appraisal/vote/", "/gongshi/")


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


class SessionGuardMiddleware:
    """Ends a session presented by a browser other than the one that logged in (a stolen
    cookie), and keeps the session's 最近活动 time for the list of sessions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES or request.path.startswith(
            UNGUARDED_PREFIXES
        ):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        agent = sessions.agent_digest(request.META.get("HTTP_USER_AGENT", ""))
        bound = session.get(AGENT_KEY)
        if bound is None:
            session[AGENT_KEY] = agent  # a session opened before the binding existed
        elif bound != agent:
            sessions.session_end(
                session_key=session.session_key, reason=SessionEnd.AGENT_CHANGED, actor=user
            )
            logout(request)
            return redirect(f"{reverse('accounts:login')}?ended=agent")
        login_id, seen = session.get(LOGIN_KEY), session.get(SEEN_KEY, 0)
        if login_id and time.time() - seen > sessions.TOUCH_EVERY.total_seconds():
            sessions.session_touch(login_session_id=login_id)
            session[SEEN_KEY] = time.time()
        return self.get_response(request)
