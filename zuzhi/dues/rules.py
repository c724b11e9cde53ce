"""The 2008 Party dues rules (关于中国共产党党费收缴、使用和管理的规定), amounts in fen.

Rates apply to the monthly after-tax income; a bracket includes its upper bound
(3,000.00 yuan pays 0.5 %, 3,000.01 pays 1 %). Results are rounded half up to the fen.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models


class DuesBasisKind(models.TextChoices):
    WAGE = "wage", "在职（按工资收入）"
    RETIREE = "retiree", "离退休（按离退休费）"
    FARMER = "farmer", "农民"
    STUDENT = "student", "学生"
    UNEMPLOYED = "unemployed", "下岗失业"
    RELIEF = "relief", "享受最低生活保障"


WAGE_BRACKETS = [
    (300_000, Decimal("0.005")),
    (500_000, Decimal("0.01")),
    (1_000_000, Decimal("0.015")),
]
WAGE_TOP_RATE = Decimal("0.02")
RETIREE_BRACKETS = [(500_000, Decimal("0.005"))]
RETIREE_TOP_RATE = Decimal("0.01")
FARMER_RANGE_FEN = (20, 100)  # 0.2–1 yuan a month
FLAT_FEN = 20  # students, the unemployed and those on relief: 0.2 yuan


class DuesRuleError(ValueError):
    """Why an amount cannot be computed, in Chinese."""


def rate_for(kind: str, income_fen: int) -> Decimal:
    brackets, top = (
        (WAGE_BRACKETS, WAGE_TOP_RATE)
        if kind == DuesBasisKind.WAGE
        else (RETIREE_BRACKETS, RETIREE_TOP_RATE)
    )
    for upper, rate in brackets:
        if income_fen <= upper:
            return rate
    return top


def monthly_dues_fen(
    *, kind: str, income_fen: int | None = None, farmer_fen: int | None = None
) -> int:
    """The monthly dues in fen for one member's basis (月缴党费额)."""
    if kind in (DuesBasisKind.WAGE, DuesBasisKind.RETIREE):
        if income_fen is None or income_fen < 0:
            raise DuesRuleError("请填写税后月收入。")
        amount = Decimal(income_fen) * rate_for(kind, income_fen)
        return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if kind == DuesBasisKind.FARMER:
        low, high = FARMER_RANGE_FEN
        if farmer_fen is None or not low <= farmer_fen <= high:
            raise DuesRuleError("农民党员每月交纳 0.2 元至 1 元。")
        return farmer_fen
    if kind in (DuesBasisKind.STUDENT, DuesBasisKind.UNEMPLOYED, DuesBasisKind.RELIEF):
        return FLAT_FEN
    raise DuesRuleError("未知的党费计算类别。")
