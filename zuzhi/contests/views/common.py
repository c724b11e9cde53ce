"""Helpers the contest pages share: reading form fields, showing refusals."""

from django.contrib import messages
from django.core.exceptions import ValidationError

PAGE_SIZE = 50


def text_field(params, name: str, limit: int = 200) -> str:
    return (params.get(name) or "").replace("\x00", "").strip()[:limit]


def show_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)
