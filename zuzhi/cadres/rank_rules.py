"""The rules of ranks as data (公务员职务与职级并行规定, 2019): order, minimum years before
promotion, and the county's quotas (职级职数) as shares of a unit's civil-service posts.

Pure functions, no database: services and selectors call them, hypothesis checks them.
"""

import datetime
from dataclasses import dataclass
from enum import Enum

from .models import Rank

# Lowest first: promotion goes one step up this list (逐级晋升).
RANK_ORDER: tuple[Rank, ...] = (
    Rank.CLERK_2,
    Rank.CLERK_1,
    Rank.PRINCIPAL_4,
    Rank.PRINCIPAL_3,
    Rank.PRINCIPAL_2,
    Rank.PRINCIPAL_1,
    Rank.RESEARCHER_4,
    Rank.RESEARCHER_3,
    Rank.RESEARCHER_2,
    Rank.RESEARCHER_1,
    Rank.INSPECTOR_2,
    Rank.INSPECTOR_1,
)
_POSITION = {rank: i for i, rank in enumerate(RANK_ORDER)}

# Years in the rank below before promotion to the rank named; every other rank: 2.
DEFAULT_MINIMUM_YEARS = 2
MINIMUM_YEARS = {Rank.RESEARCHER_1: 3, Rank.INSPECTOR_2: 4, Rank.INSPECTOR_1: 4}


class QuotaGroup(Enum):
    """The county's rank quotas (县级机关职级职数), each a percentage of the unit's posts."""

    RESEARCHER_2 = ("researcher_2", "二级调研员", 2, (Rank.RESEARCHER_2,))
    RESEARCHER_3_4 = (
        "researcher_3_4",
        "三级、四级调研员",
        10,
        (Rank.RESEARCHER_3, Rank.RESEARCHER_4),
    )
    PRINCIPAL = (
        "principal",
        "一级至四级主任科员",
        60,
        (Rank.PRINCIPAL_1, Rank.PRINCIPAL_2, Rank.PRINCIPAL_3, Rank.PRINCIPAL_4),
    )

    def __init__(self, key: str, label: str, percent: int, ranks: tuple[Rank, ...]):
        self.key = key
        self.label = label
        self.percent = percent
        self.ranks = ranks


QUOTA_GROUPS: tuple[QuotaGroup, ...] = tuple(QuotaGroup)
_GROUP_OF = {rank: group for group in QUOTA_GROUPS for rank in group.ranks}
QUOTA_ROUNDING_NOTE = "职数 = 编制数 × 比例，向下取整到整人（不足一人的部分不计）。"


def rank_position(rank: str) -> int:
    """0 for 二级科员 up to 11 for 一级巡视员."""
    return _POSITION[Rank(rank)]


def rank_below(rank: str) -> Rank | None:
    i = rank_position(rank)
    return RANK_ORDER[i - 1] if i > 0 else None


def rank_above(rank: str) -> Rank | None:
    i = rank_position(rank)
    return RANK_ORDER[i + 1] if i + 1 < len(RANK_ORDER) else None


def minimum_years(rank: str) -> int:
    """Years to serve in the rank below before promotion to `rank`."""
    return MINIMUM_YEARS.get(Rank(rank), DEFAULT_MINIMUM_YEARS)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later; 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def earliest_promotion(rank_since: datetime.date, rank: str) -> datetime.date:
    """The first day a cadre holding the rank below since `rank_since` may reach `rank`:
    exactly the minimum years later, to the day."""
    return add_years(rank_since, minimum_years(rank))


def served_since_cutoff(on: datetime.date, years: int) -> datetime.date:
    """The latest `since` for which `add_years(since, years) <= on`: the database twin of
    `earliest_promotion`, so eligibility is one indexed comparison per rank."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February `on`, counted back to a common year
        return datetime.date(on.year - years, 2, 28)


def promotion_refusal(
    *, current: str, current_since: datetime.date | None, rank: str, on: datetime.date
) -> str | None:
    """Why promoting from `current` (held since `current_since`) to `rank` on `on` breaks
    a rule, in Chinese naming the rule; None when it does not."""
    current_label, label = Rank(current).label, Rank(rank).label
    if rank_position(rank) <= rank_position(current):
        return f"职级只能晋升：现职级为{current_label}，{label}不高于现职级。"
    expected = rank_above(current)
    if rank != expected:
        return f"职级应当逐级晋升，不能越级：现职级为{current_label}，上一级为{expected.label}。"
    if current_since is None:
        return f"现职级（{current_label}）没有任职时间，无法核对最低任职年限，请先补录。"
    earliest = earliest_promotion(current_since, rank)
    if on < earliest:
        return (
            f"晋升{label}应在{current_label}任职满{minimum_years(rank)}年"
            f"（公务员职务与职级并行规定），最早可在 {earliest:%Y-%m-%d} 晋升。"
        )
    return None


def quota_group(rank: str) -> QuotaGroup | None:
    """The quota group a rank counts in; None for ranks the county sets no quota for."""
    return _GROUP_OF.get(Rank(rank)) if rank else None


def quota(group: QuotaGroup, posts: int) -> int:
    """How many may hold a rank of `group` in a unit of `posts` civil-service posts: the
    share rounded DOWN to whole people (45 posts × 2 % = 0.9 → 0), in integers."""
    return posts * group.percent // 100


@dataclass(frozen=True)
class QuotaUse:
    group: QuotaGroup
    used: int
    quota: int | None  # None when the unit's posts are not set

    @property
    def over(self) -> bool:
        return self.quota is not None and self.used > self.quota

    @property
    def free(self) -> int | None:
        return None if self.quota is None else max(self.quota - self.used, 0)


def quota_refusal(*, group: QuotaGroup, posts: int, others: int, unit: str) -> str | None:
    """Why one more holder of a `group` rank in `unit` (with `others` holding one already)
    breaks the quota; the count after the grant must stay ≤ the quota."""
    allowed = quota(group, posts)
    if others + 1 > allowed:
        return (
            f"{unit}{group.label}职数已满：{group.label}不超过公务员编制数的{group.percent}%，"
            f"编制 {posts} 名，职数 {allowed} 名（向下取整），已有 {others} 名。"
        )
    return None
