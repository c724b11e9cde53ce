"""What error reports (Django's debug page, error e-mails) may show."""

import re

from django.views.debug import SafeExceptionReporterFilter


class ReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, also hiding database URLs. The production server (granian) copies
    the process environment into every request's META, so ZUZHI_DATABASE_URL, password
    included, would otherwise be printed with any request in an error report."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL|DSN", flags=re.I
    )
