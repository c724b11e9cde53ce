"""Reads for the appointment form as print (干部任免审批表): the cadres a user may print."""

from .models import Cadre

# A batch is a township's or a unit's cadres, or the county's ~450 at most: beyond this a
# request is refused rather than building a PDF for minutes.
MAX_BATCH = 500


def _printable():
    # The imported .lrmx file is not printed: it stays in the database.
    return (
        Cadre.objects.select_related("organization").prefetch_related("family").defer("lrmx_source")
    )


def appointment_form_cadre(*, user, pk: int) -> Cadre:
    """One cadre the user sees (the cadre section's subtree, or their own record); the logged
    404 otherwise."""
    return _printable().get_visible_or_404(user, pk=pk)


def appointment_form_cadres(*, user, ids: list[int]) -> list[Cadre]:
    """The cadres named by `ids`, in the order given (each once); one id the user does not
    see makes the whole batch the logged 404."""
    ids = list(dict.fromkeys(ids))
    found = {c.pk: c for c in _printable().visible_to(user).filter(pk__in=ids)}
    for pk in ids:
        if pk not in found:
            Cadre.objects.get_visible_or_404(user, pk=pk)  # raises the logged 404
    return [found[pk] for pk in ids]
