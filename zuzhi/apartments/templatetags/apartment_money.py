"""`{{ fen|yuan }}`: amounts stored in fen shown as yuan with two decimals."""

from django import template

from zuzhi.core.money import yuan as fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen):
    return fen_to_yuan(fen)
