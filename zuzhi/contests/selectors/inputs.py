"""Indicator values and bonus and penalty items (指标数据与加减分), inside the user's scope."""

from django.db.models import QuerySet
from django.http import Http404

from zuzhi.core.params import object_id

from ..models import (
    Adjustment,
    Contest,
    Indicator,
    IndicatorValue,
)
from .contests import entrant_get


def indicator_get(*, contest: Contest, pk) -> Indicator:
    indicator = (
        Indicator.objects.filter(pk=object_id(pk), stage__contest=contest)
        .select_related("stage")
        .first()
    )
    if indicator is None:
        raise Http404("未找到该指标。")
    return indicator


def indicator_values(*, user, contest: Contest) -> QuerySet:
    """The contest's indicator values (指标数据) of entrants inside the user's scope."""
    return (
        IndicatorValue.objects.filter(indicator__stage__contest=contest)
        .visible_to(user)
        .order_by("entrant__number", "indicator__order", "indicator_id")
    )


def indicator_value_get(*, user, contest: Contest, entrant_pk, indicator_pk) -> IndicatorValue:
    """One entrant's value on one indicator, inside the user's scope (404 otherwise)."""
    entrant = entrant_get(user=user, contest=contest, pk=entrant_pk)
    item = (
        indicator_values(user=user, contest=contest)
        .filter(entrant=entrant, indicator_id=object_id(indicator_pk))
        .first()
    )
    if item is None:
        raise Http404("未找到该指标数据。")
    return item


def adjustment_list(*, user, contest: Contest) -> QuerySet:
    return (
        Adjustment.objects.filter(contest=contest)
        .select_related("entrant")
        .visible_to(user)
        .order_by("-pk")
    )


def adjustment_get(*, user, contest: Contest, pk) -> Adjustment:
    """One bonus/penalty item (加减分项) on an entrant in the user's scope; 404 otherwise."""
    return (
        Adjustment.objects.filter(contest=contest)
        .select_related("entrant")
        .get_visible_or_404(user, pk=pk)
    )
