import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import sessions
from .login_flow import AGENT_KEY, LOGIN_KEY, SEEN_KEY
from .models import SessionEnd
from .selectors import LoginStep, second_factor_step
from .services import password_expired

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
# Pages that never read the session (public, cacheable, or not cookie-authenticated).
UNGUARDED_PREFIXES = ("/static/", "/api/", "/appraisal/vote/", "/gongshi/")
# What a session that has not given its code may open: logging in or out. An account that
# must bind an app and has none may also change its first password and bind one.
CODE_STEP_OPEN = ("/accounts/login/", "/accounts/logout/", *UNGUARDED_PREFIXES)
BIND_STEP_OPEN = (*EXEMPT_PREFIXES, "/accounts/2fa/setup/")


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
    """Holds a session that has not completed the second factor (selectors.second_factor_step)
    at the code step, or at binding an app for a role that needs one, before any other page.
    A session verified by a code carries the device (django_otp.middleware.OTPMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(CODE_STEP_OPEN):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        step = second_factor_step(user=user)
        if step == LoginStep.CODE:
            next_page = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:login_verify')}?{next_page}")
        if step == LoginStep.BIND and not request.path.startswith(BIND_STEP_OPEN):
            return redirect(reverse("accounts:two_factor_setup"))
        return self.get_response(request)


class SessionGuardMiddleware:
    """Ends a session presented by a browser other than the one that logged in (a copied
    cookie), and keeps the session's 最近活动 time for the list of sessions.

    The binding is to the User-Agent header, which a thief who copied the cookie could copy
    too: it stops a cookie replayed from a different browser, not a careful attacker."""

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
