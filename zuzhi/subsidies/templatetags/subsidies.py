from django import template

from zuzhi.core.money import yuan as fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Fen shown as yuan with two decimals (integer arithmetic)."""
    return "" if fen in (None, "") else fen_to_yuan(fen)


@register.filter
def ym(month) -> str:
    return f"{month.year}年{month.month}月" if month else ""
