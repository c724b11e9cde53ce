"""Reads of the three ones (三个一): logs with filters, problems, who has not logged this
period (compliance), and problem counts by aspect and type, each team's and county-wide.
Every read starts from the visibility of scoping.py; counts are grouped queries."""

import calendar
import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone

from zuzhi.cadres.models import Cadre, LeadershipTeam, PostHolding
from zuzhi.core.scope import get_or_logged_404

from .models import Aspect, Contact, ContactKind, Problem, ProblemType
from .scoping import teams_for


# --- teams and their members -----------------------------------------------------------------
def team_choices(*, user) -> QuerySet[LeadershipTeam]:
    """The teams whose three ones the user reads and logs, in tree order."""
    return (
        teams_for(user)
        .select_related("organization")
        .order_by("organization__path", "sort_order", "kind", "pk")
    )


def team_for(*, user, pk) -> LeadershipTeam:
    """A team the user logs for; the logged 404 otherwise (another team's leader included)."""
    return get_or_logged_404(
        user, team_choices(user=user), LeadershipTeam.objects.select_related("organization"), pk=pk
    )


def team_members_on(*, team: LeadershipTeam, day: datetime.date) -> QuerySet[Cadre]:
    """The team's members on `day`: cadres holding one of its posts then."""
    holdings = PostHolding.objects.filter(team_post__team=team, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gte=day)
    )
    return Cadre.objects.filter(pk__in=holdings.values("cadre")).order_by("name", "pk")


# --- logs ------------------------------------------------------------------------------------
def contact_list(
    *,
    user,
    kind: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    team: LeadershipTeam | None = None,
    cadre_id: int | None = None,
    recorded_by_id: int | None = None,
) -> QuerySet[Contact]:
    """The logs the user sees, newest first, by kind, date range (inclusive), team, cadre
    seen and recorder."""
    qs = Contact.objects.visible_to(user).select_related("team", "team__organization")
    if kind:
        qs = qs.filter(kind=kind)
    if since:
        qs = qs.filter(date__gte=since)
    if until:
        qs = qs.filter(date__lte=until)
    if team is not None:
        qs = qs.filter(team=team)
    if cadre_id:
        qs = qs.filter(
            pk__in=Contact.cadres.through.objects.filter(cadre=cadre_id).values("contact")
        )
    if recorded_by_id:
        qs = qs.filter(recorded_by=recorded_by_id)
    return qs.annotate(problem_count=Count("problems")).order_by("-date", "-pk")


def contact_get(*, user, pk) -> Contact:
    return Contact.objects.select_related("team", "team__organization").get_visible_or_404(
        user, pk=pk
    )


def contact_problems(*, user, contact: Contact) -> QuerySet[Problem]:
    """The contact's problems the user may see (never those about themselves)."""
    return (
        Problem.objects.visible_to(user)
        .filter(contact=contact)
        .select_related("cadre", "problem_type")
        .order_by("pk")
    )


def problem_list(
    *,
    user,
    status: str | None = None,
    aspect: str | None = None,
    team: LeadershipTeam | None = None,
    cadre_id: int | None = None,
) -> QuerySet[Problem]:
    qs = Problem.objects.visible_to(user).select_related(
        "cadre", "problem_type", "contact", "contact__team"
    )
    if status:
        qs = qs.filter(status=status)
    if aspect:
        qs = qs.filter(problem_type__aspect=aspect)
    if team is not None:
        qs = qs.filter(contact__team=team)
    if cadre_id:
        qs = qs.filter(cadre=cadre_id)
    return qs.order_by("-found_on", "-pk")


def problem_get(*, user, pk) -> Problem:
    return Problem.objects.select_related(
        "contact", "contact__team", "contact__team__organization", "cadre", "problem_type"
    ).get_visible_or_404(user, pk=pk)


def problem_types(*, active_only: bool = False) -> QuerySet[ProblemType]:
    """The types in the aspects' order (观念, 能力, 作风), then as the county sorted them."""
    aspect_order = Case(*(When(aspect=a, then=i) for i, a in enumerate(Aspect.values)))
    qs = ProblemType.objects.order_by(aspect_order, "sort_order", "pk")
    return qs.filter(is_active=True) if active_only else qs


def problem_type_get(*, pk) -> ProblemType:
    problem_type = ProblemType.objects.filter(pk=pk).first()
    if problem_type is None:
        raise Http404("未找到该对象。")
    return problem_type


# --- compliance ------------------------------------------------------------------------------
def period_start(kind: str, day: datetime.date) -> datetime.date:
    """The first day of the period a kind is due in: the week (from Monday), the month or
    the quarter holding `day`."""
    if kind == ContactKind.WEEKLY_TALK:
        return day - datetime.timedelta(days=day.weekday())
    if kind == ContactKind.MONTHLY_VISIT:
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


@dataclass(frozen=True)
class ComplianceRow:
    """A team leader's three ones this period: whether each kind is logged."""

    team: LeadershipTeam
    leader: str
    done: dict[str, bool]

    @property
    def missing(self) -> list[str]:
        return [ContactKind(k).label for k, ok in self.done.items() if not ok]


def compliance(
    *, user, today: datetime.date | None = None, missing_only: bool = False
) -> list[ComplianceRow]:
    """Each leader of each team the user sees, with whether they logged this week's talk,
    this month's visit and this quarter's study for their team (按期未记录的提醒). One query:
    the leaders' holdings with an Exists per kind."""
    today = today or timezone.localdate()
    holdings = PostHolding.objects.filter(
        end__isnull=True,
        leadership_level__endswith="_chief",
        team_post__team__in=team_choices(user=user).values("pk"),
        cadre__user__isnull=False,
    )
    marks = {}
    for kind in ContactKind.values:
        marks[kind] = Exists(
            Contact.objects.filter(
                team=OuterRef("team_post__team"),
                recorded_by=OuterRef("cadre__user"),
                kind=kind,
                date__gte=period_start(kind, today),
                date__lte=today,
            )
        )
    rows = (
        holdings.select_related("team_post__team__organization", "cadre")
        .annotate(**marks)
        .order_by("team_post__team__organization__path", "team_post__team__sort_order", "pk")
    )
    result = []
    for h in rows:
        row = ComplianceRow(
            team=h.team_post.team,
            leader=h.cadre.name,
            done={kind: getattr(h, kind) for kind in ContactKind.values},
        )
        if not missing_only or row.missing:
            result.append(row)
    return result


# --- problem summaries -----------------------------------------------------------------------
@dataclass
class ProblemSummary:
    """Problems found, by aspect and by type: rows (aspect label, type name, count) and the
    totals of each aspect (every aspect listed, zero included)."""

    by_type: list[tuple[str, str, int]]
    by_aspect: list[tuple[str, int]]
    total: int


def problem_summary(
    *,
    user,
    team: LeadershipTeam | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> ProblemSummary:
    """Problem counts of one team, or of every team the user sees (county-wide for the
    county's cadre section), found between `since` and `until` inclusive. One grouped query."""
    qs = Problem.objects.visible_to(user)
    if team is not None:
        qs = qs.filter(contact__team=team)
    if since:
        qs = qs.filter(found_on__gte=since)
    if until:
        qs = qs.filter(found_on__lte=until)
    counts = {
        row["problem_type"]: row["n"]
        for row in qs.values("problem_type").annotate(n=Count("pk")).order_by()
    }
    by_type, aspects = [], dict.fromkeys(Aspect.values, 0)
    for t in problem_types().filter(Q(is_active=True) | Q(pk__in=list(counts))):
        n = counts.get(t.pk, 0)
        by_type.append((t.get_aspect_display(), t.name, n))
        aspects[t.aspect] += n
    by_aspect = [(Aspect(a).label, n) for a, n in aspects.items()]
    return ProblemSummary(by_type=by_type, by_aspect=by_aspect, total=sum(aspects.values()))


def team_problem_table(*, user, since=None, until=None) -> list[tuple[LeadershipTeam, dict]]:
    """Each team the user sees with its problem counts by aspect ({aspect: n, "total": n}),
    teams with none included. One grouped query."""
    qs = Problem.objects.visible_to(user)
    if since:
        qs = qs.filter(found_on__gte=since)
    if until:
        qs = qs.filter(found_on__lte=until)
    counts: dict[int, dict] = {}
    for row in (
        qs.values("contact__team", "problem_type__aspect").annotate(n=Count("pk")).order_by()
    ):
        team_counts = counts.setdefault(row["contact__team"], {"total": 0})
        team_counts[row["problem_type__aspect"]] = row["n"]
        team_counts["total"] += row["n"]
    return [
        (t, {a: counts.get(t.pk, {}).get(a, 0) for a in [*Aspect.values, "total"]})
        for t in team_choices(user=user)
    ]


def problem_counts(
    *,
    cadre: Cadre | None = None,
    aspect: str | None = None,
    since: datetime.date,
    until: datetime.date | None = None,
) -> dict[int, int]:
    """Problems found from `since` (inclusive: a problem found on that very day counts) to
    `until` (inclusive, open when None), by cadre id, rectified ones included (a problem
    found stays found). One grouped query over every cadre, or one cadre's. Not scoped: the
    adjustment triggers call it as the system; a page must not show it unscoped."""
    qs = Problem.objects.filter(found_on__gte=since)
    if until is not None:
        qs = qs.filter(found_on__lte=until)
    if cadre is not None:
        qs = qs.filter(cadre=cadre)
    if aspect:
        qs = qs.filter(problem_type__aspect=aspect)
    return dict(qs.values("cadre").annotate(n=Count("pk")).values_list("cadre", "n").order_by())


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier, or the last day of a shorter month: the `since` of a
    window of `months` ending on `day` (12 months before 2026-03-31 is 2025-03-31)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


NOT_MEMBERS = "所选对象不是该班子在该日期的成员。"


def members_by_ids(
    *, team: LeadershipTeam, day: datetime.date | None, ids: list[int], field: str = "cadres"
) -> dict[int, Cadre]:
    """The team's members on `day` named by `ids` (what a form or a body ticks). An id that is
    no member is refused without naming whom it names: a leader learns nothing of other
    teams' cadres by guessing ids."""
    wanted = set(ids)
    if not wanted:
        return {}
    found = (
        {}
        if day is None
        else {c.pk: c for c in team_members_on(team=team, day=day).filter(pk__in=wanted)}
    )
    if len(found) != len(wanted):
        raise ValidationError({field: [NOT_MEMBERS]})
    return found
