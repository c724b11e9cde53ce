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


# Snapshot keys holding personal data, across every audited model (members.Member,
# recruitment.Candidate, orgs.Organization), with the kind of mask each one takes.
PERSONAL_KEYS = {"id_number": "id", "phone": "phone", "secretary_phone": "phone"}


def personal_in_snapshot(data, *, unmasked: bool):
    """An audit before/after dict with its personal values masked, for showing the log."""
    if unmasked or not isinstance(data, dict):
        return data
    return {
        key: personal(value, kind=PERSONAL_KEYS[key], unmasked=False)
        if key in PERSONAL_KEYS and isinstance(value, str)
        else value
        for key, value in data.items()
    }


def mask_log_row(row, *, unmasked: bool):
    """An AuditLog row with personal values masked in before/after. The row is only shown
    (never saved: the log is append-only), so its attributes are replaced in place."""
    row.before = personal_in_snapshot(row.before, unmasked=unmasked)
    row.after = personal_in_snapshot(row.after, unmasked=unmasked)
    return row
