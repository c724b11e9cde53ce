"""Shortcuts for rating tests: stars granted through the real services."""

from zuzhi.ratings.models import StarAward, StarScheme
from zuzhi.ratings.services import award_confirm, award_propose


def scheme(code: str = "five-star-branch") -> StarScheme:
    return StarScheme.objects.prefetch_related("stars", "quotas").get(code=code)


def star(s: StarScheme, name: str):
    return s.stars.get(name=name)


def propose(proposer, s: StarScheme, subject, period: str, *names: str) -> list[StarAward]:
    stars = list(s.stars.all())
    chosen = [x for x in stars if x.name in names] if names else stars
    return [
        award_propose(actor=proposer, star=x, period=period, subject=subject, evidence="事实依据")
        for x in chosen
    ]


def grant(proposer, confirmer, s: StarScheme, subject, period: str, *names: str):
    """Propose and confirm stars (all of the scheme's when no names are given)."""
    return award_confirm(actor=confirmer, awards=propose(proposer, s, subject, period, *names))
