"""Errors a domain rule raises that carry their own HTTP answer.

A `RuleRefused` is a Django ValidationError (pages show its Chinese message as any other
refusal) that also names the status the API answers with (401, 403, 404, 409, 429, …). The API
catches this class, so it imports no domain app; each app subclasses it for its own refusals.
"""

from django.core.exceptions import ValidationError


class RuleRefused(ValidationError):
    """A request a rule refuses: `messages[0]` is the Chinese message, `status` the HTTP one."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status
