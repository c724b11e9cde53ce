"""Money as the ledgers keep it: integer fen (分), shown as yuan (元) with two decimals by
integer arithmetic, never through float."""


def yuan(fen: int | None) -> str:
    """12345 → "123.45", -150 → "-1.50", None → ""."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"
