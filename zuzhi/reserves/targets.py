"""The village reserve pool against its targets (村级后备力量目标): per village, per township
and for the county, how many reserves are in the pool, their average age, the share with a
college degree (大专及以上) and where they came from (人选来源).

Targets are settings (ZUZHI_RESERVE_TARGET_*): at least two reserves per village, an average
age of at most 37, at least 3/5 with a college degree; a value on the boundary meets its
target, and shares and averages are exact fractions, never floats.

A village is a village or community organization (村、社区) directly below one that is not
(a village's 党总支, not its 党支部 under it); a reserve registered on a branch below counts
for its village. Figures are grouped in the database by the path prefix of the village or
township, so a page costs the same few queries whatever the number of villages and reserves.
Age is 周岁 on `today`: the sum of ages is the pool size times this year, less the sum of the
birth years, less the birthdays still to come this year."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear, Length, Substr
from django.utils import timezone

from zuzhi.core.scope import get_or_logged_404, roles_q, subtree_q
from zuzhi.members.selectors import EDUCATION_BANDS
from zuzhi.orgs.models import Organization

from .models import ReserveCandidate, ReserveSource, ReserveStatus
from .scoping import RESERVE_ROLES, TOWNSHIP_CATEGORIES, VILLAGE_CATEGORIES

# 大专及以上: the bands of the members' education chart from 大学专科 up (one rule for both).
COLLEGE_BANDS = ("研究生", "大学本科", "大学专科")
COLLEGE_PREFIXES = tuple(p for label, ps in EDUCATION_BANDS if label in COLLEGE_BANDS for p in ps)
# Reserves elected into the village committee (已进入村“两委”) leave the pool but are counted.
APPOINTED = getattr(ReserveStatus, "APPOINTED", None)


@dataclass(frozen=True)
class ReserveTargets:
    per_village: int
    max_average_age: int
    min_college_share: Fraction

    @property
    def min_college_percent(self) -> str:
        """The share as a percentage to show: "60"."""
        percent = self.min_college_share * 100
        return (
            str(percent.numerator)
            if percent.denominator == 1
            else str(_decimal(percent, ROUND_CEILING))
        )


def reserve_targets() -> ReserveTargets:
    return ReserveTargets(
        per_village=int(settings.ZUZHI_RESERVE_TARGET_PER_VILLAGE),
        max_average_age=int(settings.ZUZHI_RESERVE_TARGET_MAX_AVG_AGE),
        min_college_share=Fraction(str(settings.ZUZHI_RESERVE_TARGET_MIN_COLLEGE_SHARE)),
    )


def _decimal(value: Fraction, rounding: str) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.1"), rounding=rounding
    )


@dataclass
class PoolFigures:
    """The pool of one village, township or county. A village row has villages=1, so
    "villages under target" reads the same at every level."""

    org: Organization | None
    targets: ReserveTargets
    pool: int = 0
    appointed: int = 0
    age_total: int = 0  # the sum of the pool's ages (周岁)
    college: int = 0
    sources: Counter = field(default_factory=Counter)
    villages: int = 0
    villages_under: int = 0

    @property
    def average_age(self) -> Fraction | None:
        return Fraction(self.age_total, self.pool) if self.pool else None

    @property
    def college_share(self) -> Fraction | None:
        return Fraction(self.college, self.pool) if self.pool else None

    @property
    def count_met(self) -> bool:
        return self.villages_under == 0

    @property
    def age_met(self) -> bool | None:
        """None for an empty pool: there is no age to judge."""
        avg = self.average_age
        return None if avg is None else avg <= self.targets.max_average_age

    @property
    def college_met(self) -> bool | None:
        share = self.college_share
        return None if share is None else share >= self.targets.min_college_share

    # Shown to one decimal, rounded away from the target, so that a figure that misses its
    # target never reads as if it met it (37.01 years shows 37.1, 59.99 % shows 59.9 %).
    @property
    def average_age_shown(self) -> Decimal | None:
        avg = self.average_age
        return None if avg is None else _decimal(avg, ROUND_CEILING)

    @property
    def college_percent_shown(self) -> Decimal | None:
        share = self.college_share
        return None if share is None else _decimal(share * 100, ROUND_FLOOR)

    @property
    def source_counts(self) -> list[tuple[str, int]]:
        return [(label, self.sources[value]) for value, label in ReserveSource.choices]

    def add(self, other: "PoolFigures") -> None:
        self.pool += other.pool
        self.appointed += other.appointed
        self.age_total += other.age_total
        self.college += other.college
        self.sources.update(other.sources)
        self.villages += other.villages
        self.villages_under += other.villages_under


def _college_q() -> Q:
    q = Q()
    for prefix in COLLEGE_PREFIXES:
        q |= Q(education__startswith=prefix)
    return q


def _counted(*, user) -> QuerySet[ReserveCandidate]:
    """The user's reserves in the pool, and those elected into the village committee."""
    statuses = [ReserveStatus.IN_POOL] + ([APPOINTED] if APPOINTED else [])
    return ReserveCandidate.objects.visible_to(user).filter(status__in=statuses)


def _figures_by_prefix(qs: QuerySet, lengths: set[int], today: datetime.date) -> dict[str, dict]:
    """The pool figures of `qs` grouped by the first `length` characters of the village path
    (one query per length; a county's townships or villages all have one)."""
    in_pool = Q(status=ReserveStatus.IN_POOL)
    later = Q(birth_date__month__gt=today.month) | Q(
        birth_date__month=today.month, birth_date__day__gt=today.day
    )
    measures = {
        "pool": Count("pk", filter=in_pool),
        "year_total": Sum(ExtractYear("birth_date"), filter=in_pool),
        "later": Count("pk", filter=in_pool & later),
        "college": Count("pk", filter=in_pool & _college_q()),
        **{f"source_{s}": Count("pk", filter=in_pool & Q(source=s)) for s in ReserveSource.values},
    }
    if APPOINTED:
        measures["appointed"] = Count("pk", filter=Q(status=APPOINTED))
    grouped = {}
    for length in lengths:
        rows = qs.values(prefix=Substr("village__path", 1, length)).annotate(**measures).order_by()
        grouped.update({row["prefix"]: row for row in rows})
    return grouped


def _fill(figures: PoolFigures, row: dict | None, today: datetime.date) -> PoolFigures:
    if row:
        figures.pool = row["pool"]
        figures.appointed = row.get("appointed", 0)
        figures.age_total = (
            row["pool"] * today.year - (row["year_total"] or 0) - row["later"] if row["pool"] else 0
        )
        figures.college = row["college"]
        figures.sources = Counter({s: row[f"source_{s}"] for s in ReserveSource.values})
    return figures


def _villages() -> QuerySet[Organization]:
    """Villages and communities in office, each counted once (see the module docstring)."""
    return Organization.objects.filter(
        unit_category__in=VILLAGE_CATEGORIES, is_active=True
    ).exclude(parent__unit_category__in=VILLAGE_CATEGORIES)


def pool_townships(*, user) -> list[Organization]:
    """The townships (乡镇、街道) whose reserves the user manages: all for county staff,
    their own for township staff."""
    q = roles_q(user, "path", *RESERVE_ROLES)
    if q is None:
        return []
    return list(
        Organization.objects.filter(
            q, unit_category__in=TOWNSHIP_CATEGORIES, is_active=True
        ).order_by("sort_order", "path")
    )


def pool_township_get(*, user, pk: int) -> Organization:
    """A township the user manages reserves in; the logged 404 for another one."""
    townships = Organization.objects.filter(unit_category__in=TOWNSHIP_CATEGORIES)
    q = roles_q(user, "path", *RESERVE_ROLES)
    visible = townships.none() if q is None else townships.filter(q)
    return get_or_logged_404(user, visible, townships, pk=pk)


def village_pool_rows(
    *, user, township: Organization, today: datetime.date | None = None
) -> list[PoolFigures]:
    """Each village of `township` (those without a reserve too) with its pool; the caller
    has checked the township with pool_township_get."""
    today = today or timezone.localdate()
    goals = reserve_targets()
    villages = list(_villages().filter(subtree_q(township.path)).order_by("sort_order", "path"))
    grouped = _figures_by_prefix(
        _counted(user=user).filter(subtree_q(township.path, "village__path")),
        {len(v.path) for v in villages},
        today,
    )
    rows = []
    for village in villages:
        figures = _fill(PoolFigures(org=village, targets=goals), grouped.get(village.path), today)
        figures.villages = 1
        figures.villages_under = int(figures.pool < goals.per_village)
        rows.append(figures)
    return rows


def _villages_met(*, user, village_lengths: set[int], per_village: int) -> list[str]:
    """Paths of the villages whose pool reaches the target (the rest are under it)."""
    met = []
    for length in village_lengths:
        village = _villages().filter(path=OuterRef("prefix"))
        met += (
            _counted(user=user)
            .filter(status=ReserveStatus.IN_POOL)
            .values(prefix=Substr("village__path", 1, length))
            .annotate(n=Count("pk"))
            .filter(n__gte=per_village)
            .filter(Exists(village))
            .order_by()
            .values_list("prefix", flat=True)
        )
    return met


def township_pool_rows(*, user, today: datetime.date | None = None) -> list[PoolFigures]:
    """Each township the user manages with its villages, the villages under target, and
    its pool: grouped queries; Python only adds up their rows (at most one per village)."""
    today = today or timezone.localdate()
    goals = reserve_targets()
    townships = pool_townships(user=user)
    if not townships:
        return []
    by_path = {t.path: t for t in townships}
    lengths = {len(path) for path in by_path}
    scope = roles_q(user, "path", *RESERVE_ROLES)
    villages = _villages().filter(scope)
    village_counts: Counter = Counter()
    village_lengths: set[int] = set()
    # Grouped by the village's own path length as well: the depths _villages_met groups by
    # come with the counts (a second pass over the province's villages took 90 ms).
    for length in lengths:
        for prefix, village_length, n in (
            villages.values(prefix=Substr("path", 1, length), length=Length("path"))
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("prefix", "length", "n")
        ):
            village_counts[prefix] += n
            village_lengths.add(village_length)
    met: Counter = Counter()
    for path in _villages_met(
        user=user, village_lengths=village_lengths, per_village=goals.per_village
    ):
        met.update(path[:length] for length in lengths if path[:length] in by_path)
    grouped = _figures_by_prefix(_counted(user=user), lengths, today)
    rows = []
    for path, township in by_path.items():
        figures = _fill(PoolFigures(org=township, targets=goals), grouped.get(path), today)
        figures.villages = village_counts[path]
        figures.villages_under = figures.villages - met[path]
        rows.append(figures)
    return rows


def pool_total(*, rows: list[PoolFigures], org: Organization | None = None) -> PoolFigures:
    """The rows added up: the county's (or a township's) line under the table."""
    total = PoolFigures(org=org, targets=reserve_targets())
    for row in rows:
        total.add(row)
    return total
