from django.shortcuts import redirect
from django.urls import reverse

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
