"""Helpers the contest pages share: reading form fields, showing refusals."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404

PAGE_SIZE = 50


def text_field(params, name: str, limit: int = 200) -> str:
    return (params.get(name) or "").replace("\x00", "").strip()[:limit]


def id_field(params, name: str) -> int:
    raw = text_field(params, name, 20)
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 2**62:
        raise Http404
    return int(raw)


def show_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)
