"""Masking of personal data (脱敏) in lists and exports."""

import re


def mask_id_number(value: str | None) -> str:
    """410102199001011234 → 410102********1234."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678."""
    if not value:
        return ""
    digits = re.sub(r"\D", "", str(value))
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def personal(value: str | None, *, kind: str, unmasked: bool) -> str:
    if unmasked:
        return value or ""
    return mask_id_number(value) if kind == "id" else mask_phone(value)
