"""Reads of leadership teams (班子配备): the teams a user sees, each team's roster, the
structure of a team and of the county (age, gender, education, ethnicity, specialties), and
the targets each team misses.

Teams are seen by the cadre section and by township and county staff in their data scope
(`zuzhi.cadres.models.scoping`); the roster shows what township staff may see of a cadre —
name, post, rank, age, education, gender — never the record behind it. Counts come from one
grouped query over the current holdings (no loop over the county's cadres)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from zuzhi.core.codes import code_map
from zuzhi.orgs.models import Organization

from .models import LeadershipTeam, PostHolding, Rank, TargetKind, TeamKind, TeamPost, TeamTarget


@dataclass(frozen=True)
class AgeBand:
    """An age band (年龄段) in whole years on the day asked; None is open-ended."""

    label: str
    low: int | None
    high: int | None


AGE_BANDS = (
    AgeBand("35岁及以下", None, 35),
    AgeBand("36～45岁", 36, 45),
    AgeBand("46～55岁", 46, 55),
    AgeBand("56岁及以上", 56, None),
)
# Education by the first digit of the ZB64 code of the highest education (Cadre.education).
EDUCATION_BANDS = (("研究生", ("1",)), ("本科", ("2",)), ("专科及以下", tuple("3456789")))
COLLEGE_LABEL = "本科及以上"  # 研究生 and 本科: what a team's college share counts
SPECIALTY_SEPARATOR = "、"
GENDERS = (("男", "1"), ("女", "2"))
HAN = "01"


def age_on(birth_date: datetime.date | None, day: datetime.date) -> int | None:
    """Age in whole years on `day` (周岁)."""
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _age_q(*, low: int | None, high: int | None, today: datetime.date) -> Q:
    """Aged `low`..`high` on `today` as a range of birth dates (the database filters): at
    least `low` is born on or before today minus `low` years; at most `high` is born after
    today minus `high + 1` years."""
    q = Q(cadre__birth_date__isnull=False)
    if low is not None:
        q &= Q(cadre__birth_date__lte=_years_before(today, low))
    if high is not None:
        q &= Q(cadre__birth_date__gt=_years_before(today, high + 1))
    return q


def _education_q(prefixes: tuple[str, ...]) -> Q:
    q = Q()
    for prefix in prefixes:
        q |= Q(cadre__education__startswith=prefix)
    return q


def _tag_q(tag: str) -> Q:
    """A cadre whose specialties (熟悉经济、懂法律) hold `tag` as a whole tag."""
    sep, f = SPECIALTY_SEPARATOR, "cadre__specialties"
    return (
        Q(**{f: tag})
        | Q(**{f"{f}__startswith": tag + sep})
        | Q(**{f"{f}__endswith": sep + tag})
        | Q(**{f"{f}__contains": sep + tag + sep})
    )


def _current_holdings() -> QuerySet[PostHolding]:
    """Holdings on a team's post that have not ended: the team's members today."""
    return PostHolding.objects.filter(team_post__isnull=False, end__isnull=True)


def active_targets() -> list[TeamTarget]:
    return list(TeamTarget.objects.filter(is_active=True).order_by("kind", "id"))


def _measures(*, today: datetime.date, targets: list[TeamTarget]) -> dict:
    """The counts of one structure, as aggregates of distinct cadres (a cadre holding two
    posts of a team counts once)."""

    def n(q: Q | None = None) -> Count:
        return Count("cadre", distinct=True, filter=q)

    measures = {"total": n()}
    for _, code in GENDERS:
        measures[f"gender_{code}"] = n(Q(cadre__gender=code))
    for i, band in enumerate(AGE_BANDS):
        measures[f"age_{i}"] = n(_age_q(low=band.low, high=band.high, today=today))
    for i, (_, prefixes) in enumerate(EDUCATION_BANDS):
        measures[f"edu_{i}"] = n(_education_q(prefixes))
    measures["college"] = n(_education_q(("1", "2")))
    measures["minority"] = n(~Q(cadre__ethnicity=HAN) & ~Q(cadre__ethnicity=""))
    measures["non_party"] = n(Q(cadre__party_joined=""))
    for target in targets:
        if target.kind == TargetKind.MIN_UNDER_AGE and target.parameter.isdigit():
            age = int(target.parameter)
            measures[f"under_{age}"] = n(_age_q(low=None, high=age, today=today))
        elif target.kind == TargetKind.MIN_SPECIALTY and target.parameter:
            measures[f"tag_{target.pk}"] = n(_tag_q(target.parameter))
    return measures


def _structure(counts: dict) -> dict:
    """The counts as the pages, the API and the export show them, labels in Chinese."""
    total = counts.get("total", 0)
    known_age = sum(counts.get(f"age_{i}", 0) for i in range(len(AGE_BANDS)))
    known_edu = sum(counts.get(f"edu_{i}", 0) for i in range(len(EDUCATION_BANDS)))
    college = counts.get("college", 0)
    return {
        "total": total,
        "gender": [(label, counts.get(f"gender_{code}", 0)) for label, code in GENDERS],
        "age": [(b.label, counts.get(f"age_{i}", 0)) for i, b in enumerate(AGE_BANDS)]
        + [("未填写", total - known_age)],
        "education": [
            (label, counts.get(f"edu_{i}", 0)) for i, (label, _) in enumerate(EDUCATION_BANDS)
        ]
        + [("未填写", total - known_edu)],
        "college_label": COLLEGE_LABEL,
        "college": college,
        "college_share": _share(college, total),
        "minority": counts.get("minority", 0),
        "non_party": counts.get("non_party", 0),
    }


def _share(part: int, whole: int) -> float:
    """Percentage to one decimal, rounded down, so that a share shown is never above the
    one compared with a target."""
    return (part * 1000 // whole) / 10 if whole else 0.0


def target_applies(target: TeamTarget, team: LeadershipTeam) -> bool:
    return not target.team_kind or target.team_kind == team.kind


def target_shortfall(target: TeamTarget, counts: dict) -> str | None:
    """What the team lacks against `target`, in Chinese ("缺少女性干部"), or None when met.
    A count exactly at the target meets it; an empty team meets no target."""
    value = target.value
    if target.kind == TargetKind.MIN_COLLEGE_SHARE:
        total, college = counts.get("total", 0), counts.get("college", 0)
        if total and college * 100 >= value * total:
            return None
        return f"{COLLEGE_LABEL}学历占比低于{value}%（现为{_share(college, total):g}%）"
    noun = {
        TargetKind.MIN_WOMEN: ("gender_2", "女性干部"),
        TargetKind.MIN_UNDER_AGE: (f"under_{target.parameter}", f"{target.parameter}岁及以下干部"),
        TargetKind.MIN_MINORITY: ("minority", "少数民族干部"),
        TargetKind.MIN_SPECIALTY: (f"tag_{target.pk}", f"{target.parameter}的干部"),
        TargetKind.MIN_NON_PARTY: ("non_party", "党外干部"),
    }.get(target.kind)
    if noun is None:
        return None
    key, label = noun
    have = counts.get(key, 0)
    if have >= value:
        return None
    return f"缺少{label}" if value == 1 or have == 0 else f"{label}少于{value}名（现有{have}名）"


def _missing(team: LeadershipTeam, counts: dict, targets: list[TeamTarget]) -> list[str]:
    return [
        text
        for target in targets
        if target_applies(target, team) and (text := target_shortfall(target, counts))
    ]


# --- the list --------------------------------------------------------------------------------
@dataclass
class TeamRow:
    """One team as the list shows it: structure, vacant posts and targets missed."""

    team: LeadershipTeam
    seats: int
    structure: dict
    vacancies: list[TeamPost] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def team_scoped(*, user) -> QuerySet[LeadershipTeam]:
    return LeadershipTeam.objects.visible_to(user)


def team_get(*, user, pk) -> LeadershipTeam:
    """The team if the user sees it; the logged 404 otherwise."""
    return LeadershipTeam.objects.select_related("organization").get_visible_or_404(user, pk=pk)


def team_townships(*, user) -> QuerySet[Organization]:
    """The townships whose teams the user sees: the list's filter choices."""
    teams = team_scoped(user=user).filter(
        kind__in=[TeamKind.TOWNSHIP_COMMITTEE, TeamKind.TOWNSHIP_GOVERNMENT]
    )
    return Organization.objects.filter(pk__in=teams.values("organization")).order_by("path")


def team_list(
    *,
    user,
    organization_id: int | None = None,
    kind: str | None = None,
    missing: bool = False,
    vacant: bool = False,
    today: datetime.date | None = None,
) -> list[TeamRow]:
    """The teams the user sees, with their structure, vacancies and the targets they miss.
    `organization_id` keeps one township's (or unit's) teams, `missing` those that miss a
    target, `vacant` those with a vacant post. One query for the teams, one for every
    team's counts, one for the vacant posts, one for the targets."""
    today = today or timezone.localdate()
    teams = (
        team_scoped(user=user)
        .select_related("organization")
        .annotate(seat_count=Sum("posts__seats"))
        .order_by("organization__path", "sort_order", "kind", "pk")
    )
    if organization_id:
        teams = teams.filter(organization_id=organization_id)
    if kind:
        teams = teams.filter(kind=kind)
    if vacant:
        teams = teams.filter(
            Exists(TeamPost.objects.filter(team=OuterRef("pk"), vacant_since__isnull=False))
        )
    teams = list(teams)
    ids = [t.pk for t in teams]
    targets = active_targets()
    counts = {
        row.pop("team_post__team"): row
        for row in _current_holdings()
        .filter(team_post__team__in=ids)
        .values("team_post__team")
        .annotate(**_measures(today=today, targets=targets))
        .order_by()
    }
    vacancies: dict[int, list[TeamPost]] = {}
    for post in TeamPost.objects.filter(team__in=ids, vacant_since__isnull=False).order_by(
        "sort_order", "pk"
    ):
        vacancies.setdefault(post.team_id, []).append(post)
    rows = []
    for team in teams:
        team_counts = counts.get(team.pk, {})
        row = TeamRow(
            team=team,
            seats=team.seat_count or 0,
            structure=_structure(team_counts),
            vacancies=vacancies.get(team.pk, []),
            missing=_missing(team, team_counts, targets),
        )
        if not missing or row.missing:
            rows.append(row)
    return rows


# --- one team --------------------------------------------------------------------------------
@dataclass
class RosterRow:
    """A post and who holds it, as township staff may see it: no ID number, no record."""

    post: TeamPost
    holding_id: int | None = None
    cadre_id: int | None = None
    name: str = ""
    title: str = ""
    start: datetime.date | None = None
    rank: str = ""
    age: int | None = None
    education: str = ""
    gender: str = ""


def team_roster(*, team: LeadershipTeam, today: datetime.date | None = None) -> list[RosterRow]:
    """Each post with its current holders, and one empty row per seat not held. The caller
    has checked that the user sees the team (`team_get`)."""
    today = today or timezone.localdate()
    posts = list(team.posts.order_by("sort_order", "pk"))
    held: dict[int, list[dict]] = {}
    for h in (
        _current_holdings()
        .filter(team_post__team=team)
        .order_by("start", "pk")
        .values(
            "pk",
            "team_post_id",
            "title",
            "start",
            "cadre_id",
            "cadre__name",
            "cadre__rank",
            "cadre__birth_date",
            "cadre__education",
            "cadre__gender",
        )
    ):
        held.setdefault(h["team_post_id"], []).append(h)
    ranks, educations = dict(Rank.choices), code_map("ZB64")
    genders = {code: label for label, code in GENDERS}
    rows = []
    for post in posts:
        holders = held.get(post.pk, [])
        for h in holders:
            rows.append(
                RosterRow(
                    post=post,
                    holding_id=h["pk"],
                    cadre_id=h["cadre_id"],
                    name=h["cadre__name"],
                    title=h["title"],
                    start=h["start"],
                    rank=ranks.get(h["cadre__rank"], h["cadre__rank"]),
                    age=age_on(h["cadre__birth_date"], today),
                    education=educations.get(h["cadre__education"], h["cadre__education"]),
                    gender=genders.get(h["cadre__gender"], ""),
                )
            )
        rows.extend(RosterRow(post=post) for _ in range(post.seats - len(holders)))
    return rows


@dataclass
class TeamStructure:
    structure: dict
    specialties: list[tuple[str, int]]
    missing: list[str]
    targets: list[tuple[TeamTarget, str | None]]  # each applicable target, None when met


def _specialties(holdings: QuerySet[PostHolding]) -> list[tuple[str, int]]:
    """Cadres per specialty tag, most first: grouped by the cadres' tag strings in the
    database, the few distinct strings split here."""
    tags: dict[str, int] = {}
    for text, n in (
        holdings.exclude(cadre__specialties="")
        .values_list("cadre__specialties")
        .annotate(n=Count("cadre", distinct=True))
        .order_by()
    ):
        for tag in dict.fromkeys(t.strip() for t in text.split(SPECIALTY_SEPARATOR)):
            if tag:
                tags[tag] = tags.get(tag, 0) + n
    return sorted(tags.items(), key=lambda item: (-item[1], item[0]))


def team_structure(*, team: LeadershipTeam, today: datetime.date | None = None) -> TeamStructure:
    """One team's structure against the active targets that apply to it."""
    today = today or timezone.localdate()
    targets = [t for t in active_targets() if target_applies(t, team)]
    holdings = _current_holdings().filter(team_post__team=team)
    counts = holdings.aggregate(**_measures(today=today, targets=targets))
    checked = [(t, target_shortfall(t, counts)) for t in targets]
    return TeamStructure(
        structure=_structure(counts),
        specialties=_specialties(holdings),
        missing=[text for _, text in checked if text],
        targets=checked,
    )


# --- the county ------------------------------------------------------------------------------
def county_structure(*, user, kind: str | None = None, today: datetime.date | None = None) -> dict:
    """The structure of every team the user sees taken together (a cadre in two teams counts
    once), with the specialties, the vacancies and, per target, how many teams miss it."""
    today = today or timezone.localdate()
    teams = team_scoped(user=user)
    if kind:
        teams = teams.filter(kind=kind)
    holdings = _current_holdings().filter(team_post__team__in=teams)
    counts = holdings.aggregate(**_measures(today=today, targets=active_targets()))
    rows = team_list(user=user, kind=kind, today=today)
    shortfalls: dict[str, int] = {}
    for row in rows:
        for text in row.missing:
            # "本科及以上学历占比低于60%（现为50%）" groups under its part before the "（".
            key = text.split("（")[0]
            shortfalls[key] = shortfalls.get(key, 0) + 1
    return {
        "teams": len(rows),
        "seats": sum(r.seats for r in rows),
        "vacancies": sum(len(r.vacancies) for r in rows),
        "teams_missing": sum(1 for r in rows if r.missing),
        "structure": _structure(counts),
        "specialties": _specialties(holdings),
        "shortfalls": sorted(shortfalls.items(), key=lambda item: -item[1]),
        "rows": rows,
    }


def vacant_posts(*, user) -> dict:
    """How many posts of the user's teams are vacant, and since when the oldest is."""
    return (
        TeamPost.objects.visible_to(user)
        .filter(vacant_since__isnull=False)
        .aggregate(count=Count("pk"), oldest=Min("vacant_since"))
    )
