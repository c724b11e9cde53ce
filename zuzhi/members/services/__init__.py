"""Writes to the member registry (党员信息库), by subject. Each checks scope, validates and
audits; the rules they share are in `rules`."""

from .bulk import FIELD_LABELS, member_bulk_check, member_bulk_create, member_bulk_insert
from .cases import member_case_close, member_case_open
from .mobile import mobile_register, mobile_return
from .registry import member_account_link, member_create, member_update
from .rules import (
    EDITABLE,
    EDITABLE_FIELDS,
    MEMBER_ORG_TYPES,
    PHONE_RX,
    SCOPE_REFUSED,
    STATUSES,
    add_years,
    member_rules,
    member_status_implied,
)
from .transfers import (
    member_transfer,
    member_transfer_cancel,
    member_transfer_check,
    member_transfer_decide,
)

__all__ = [
    "member_account_link",
    "EDITABLE",
    "EDITABLE_FIELDS",
    "FIELD_LABELS",
    "MEMBER_ORG_TYPES",
    "PHONE_RX",
    "SCOPE_REFUSED",
    "STATUSES",
    "add_years",
    "member_bulk_check",
    "member_bulk_create",
    "member_bulk_insert",
    "member_case_close",
    "member_case_open",
    "member_create",
    "member_rules",
    "member_status_implied",
    "member_transfer",
    "member_transfer_cancel",
    "member_transfer_check",
    "member_transfer_decide",
    "member_update",
    "mobile_register",
    "mobile_return",
]
