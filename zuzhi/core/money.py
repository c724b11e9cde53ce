"""Money as the ledgers keep it: integer fen (分), typed and shown as yuan (元) with at most
two decimals, converted by integer arithmetic, never through float."""

import re

from django import forms

# "3000", "3000.5", "3,000.50", "-150.00": digits, optional thousands commas, ≤ 2 decimals.
_AMOUNT = re.compile(r"(?P<sign>[+-]?)(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<cents>\d+))?")

NOT_AMOUNT = "请填写以元为单位的金额，如 3000 或 3000.50。"
TOO_PRECISE = "金额最多两位小数（到分）。"
NEGATIVE = "金额不能为负数。"


class AmountError(ValueError):
    """Text that is not an amount of yuan; the message says why, in Chinese."""


def yuan(fen: int | None) -> str:
    """12345 → "123.45", -150 → "-1.50", None → ""."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


def fen_from_yuan(text, *, negative: bool = False, max_yuan: int | None = None) -> int:
    """ "800" / "800.5" / "5,000.00" yuan → fen, exactly: the inverse of `yuan`. A negative
    amount only where the ledger has one (`negative`: a recovery 扣回); AmountError otherwise,
    and for more than two decimals, beyond `max_yuan`, or anything not a number."""
    raw = str(text).strip().replace("，", ",")
    match = _AMOUNT.fullmatch(raw)
    if match is None:
        raise AmountError(NOT_AMOUNT)
    cents = match["cents"] or ""
    if len(cents) > 2:
        raise AmountError(TOO_PRECISE)
    fen = int(match["whole"].replace(",", "")) * 100 + int(cents.ljust(2, "0"))
    if match["sign"] == "-" and fen:
        if not negative:
            raise AmountError(NEGATIVE)
        fen = -fen
    if max_yuan is not None and abs(fen) > max_yuan * 100:
        raise AmountError(f"金额不能超过 {max_yuan} 元。")
    return fen


class YuanField(forms.CharField):
    """A form field for an amount typed in yuan ("800", "650.50"), cleaned to integer fen
    (None when left empty); the parser's message is the field's error."""

    def __init__(self, *, negative: bool = False, max_yuan: int | None = None, **kwargs):
        self.negative, self.max_yuan = negative, max_yuan
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return fen_from_yuan(text, negative=self.negative, max_yuan=self.max_yuan)
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from exc
