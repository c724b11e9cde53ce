"""Showing a service's ValidationError on a page's form."""

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(
    form: forms.Form, exc: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """Put each message under its field (renamed where the form calls it otherwise), or at
    the top of the form when the form has no such field."""
    rename = rename or {}
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for field, messages in items:
        field = rename.get(field, field)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
