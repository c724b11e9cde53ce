from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

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
