"""Reads of the talent registry (人才库), always through scoping.TalentQuerySet: the talent
office's county, or the talent's own record."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from zuzhi.core import idnumber
from zuzhi.core.text import initials_q

from .models import CareEvent, CareKind, Platform, PlatformPerson, Talent, TalentStatus, TalentTitle


def talents_visible(*, user) -> QuerySet[Talent]:
    return Talent.objects.visible_to(user).select_related("title", "county")


def talent_list(
    *,
    user,
    q: str = "",
    title_id: int | None = None,
    level: str = "",
    degree: str = "",
    industry: str = "",
    status: str = "",
    high_level: bool = False,
) -> QuerySet[Talent]:
    """The registry filtered: by name, initials (zq for 周青) or full ID number; by title, its
    level, degree, industry, status; `high_level` keeps holders of high-level titles."""
    qs = talents_visible(user=user)
    q = (q or "").strip()
    if q:
        number = idnumber.normalize(q)
        if len(number) == 18:
            qs = qs.filter(id_number=number)
        elif q.isascii() and q.isalpha():
            qs = qs.filter(initials_q("name_initials", q))
        else:
            qs = qs.filter(Q(name__contains=q) | Q(employer__contains=q) | Q(field__contains=q))
    if title_id:
        qs = qs.filter(title_id=title_id)
    if level:
        qs = qs.filter(title__level=level)
    if degree:
        qs = qs.filter(degree=degree)
    if industry:
        qs = qs.filter(industry=industry)
    if status:
        qs = qs.filter(status=status)
    if high_level:
        qs = qs.filter(title__high_level=True)
    return qs.order_by("name", "pk")


def talent_choices(*, user, keep=()) -> QuerySet[Talent]:
    """The county's talents in the county, for the pickers of platforms and care events, and
    `keep` (ids already chosen: a participant who has left since stays on the event)."""
    return (
        Talent.objects.visible_to(user)
        .filter(Q(status=TalentStatus.IN_COUNTY) | Q(pk__in=list(keep)))
        .only("pk", "name", "employer")
        .order_by("name", "pk")
    )


def talent_get(*, user, pk: int) -> Talent:
    return Talent.objects.select_related("title", "county", "member", "cadre").get_visible_or_404(
        user, pk=pk
    )


def own_talent(*, user) -> Talent | None:
    """The talent record of the user's own account, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Talent.objects.select_related("title").filter(user=user).first()


def titles(*, user, active_only: bool = False) -> QuerySet[TalentTitle]:
    qs = TalentTitle.objects.visible_to(user)
    return qs.filter(active=True) if active_only else qs


def title_get(*, user, pk: int) -> TalentTitle:
    return TalentTitle.objects.get_visible_or_404(user, pk=pk)


def title_choice(*, user, pk: int | None) -> TalentTitle | None:
    """The title chosen for a talent by its id (none chosen: None); one the user cannot see is
    refused as not existing."""
    if not pk:
        return None
    title = titles(user=user).filter(pk=pk).first()
    if title is None:
        raise ValidationError({"title": ["人才称号不存在。"]})
    return title


def industries(*, user) -> list[str]:
    """The industries named in the registry, for the filter."""
    return list(
        talents_visible(user=user)
        .exclude(industry="")
        .order_by("industry")
        .values_list("industry", flat=True)
        .distinct()
    )


def registry_counts(*, user) -> dict:
    """Figures of the registry page: talents in the county by title level, high-level ones,
    those who left (one aggregate query)."""
    qs = Talent.objects.visible_to(user)
    in_county = Q(status=TalentStatus.IN_COUNTY)
    figures = qs.aggregate(
        total=Count("pk", filter=in_county),
        high_level=Count("pk", filter=in_county & Q(title__high_level=True)),
        left=Count("pk", filter=Q(status=TalentStatus.LEFT)),
        national=Count("pk", filter=in_county & Q(title__level="national")),
        provincial=Count("pk", filter=in_county & Q(title__level="provincial")),
        city=Count("pk", filter=in_county & Q(title__level="city")),
        county=Count("pk", filter=in_county & Q(title__level="county")),
    )
    return figures


def platforms(*, user) -> QuerySet[Platform]:
    return (
        Platform.objects.visible_to(user)
        .annotate(people_count=Count("people"))
        .order_by("kind", "name")
    )


def platform_get(*, user, pk: int) -> Platform:
    return Platform.objects.get_visible_or_404(user, pk=pk)


def platform_people(*, platform: Platform) -> QuerySet[PlatformPerson]:
    return platform.people.select_related("talent").order_by("role", "pk")


def care_events(*, user, kind: str = "", year: int | None = None) -> QuerySet[CareEvent]:
    qs = CareEvent.objects.visible_to(user).annotate(people=Count("talents"))
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(held_on__year=year)
    return qs.order_by("-held_on", "-pk")


def care_event_get(*, user, pk: int) -> CareEvent:
    return CareEvent.objects.get_visible_or_404(user, pk=pk)


def talent_care_events(*, talent: Talent) -> QuerySet[CareEvent]:
    return talent.care_events.order_by("-held_on", "-pk")


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def not_visited(*, user, year: int) -> QuerySet[Talent]:
    """The yearly check (年度走访): high-level talents in the county who have had no visit
    (走访慰问) in `year`. One query with NOT EXISTS."""
    first, last = year_bounds(year)
    visited = CareEvent.talents.through.objects.filter(
        talent_id=OuterRef("pk"),
        careevent__kind=CareKind.VISIT,
        careevent__held_on__range=(first, last),
    )
    return (
        talents_visible(user=user)
        .filter(status=TalentStatus.IN_COUNTY, title__high_level=True)
        .exclude(Exists(visited))
        .order_by("name", "pk")
    )
