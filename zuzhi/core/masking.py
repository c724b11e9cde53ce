"""How personal data is masked (脱敏). Which fields are personal and who sees them unmasked is
decided in core.personal."""

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
    """13812345678 → 138****5678; a value already masked stays as it is."""
    if not value:
        return ""
    if "*" in str(value):
        return str(value)
    digits = re.sub(r"\D", "", str(value))
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_bank_account(value: str | None) -> str:
    """6222021234567890123 → 6222***********0123."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
