"""The thresholds of the five triggers, from settings (defaults from seed 000 and DOMAIN.md
§8), read at each evaluation so that a changed setting applies at the next run."""

from dataclasses import dataclass

from django.conf import settings

# Person-post mismatch and the discipline trigger look back this far.
WINDOW_MONTHS = 12


@dataclass(frozen=True)
class Thresholds:
    vacant_days: int  # a team post empty for more than this many days
    discipline_kinds: tuple[str, ...]  # supervision-file kinds that are 纪法出事
    bottom_places: int  # the last N of a published contest or index
    bottom_grades: tuple[str, ...]  # annual grades that are 业绩倒数
    ability_problems: int  # 能力 problems from the three ones within 12 months
    inaction_quarters: int  # quarters without an achievement in the archive


def thresholds() -> Thresholds:
    return Thresholds(
        vacant_days=int(settings.ZUZHI_TRIGGER_VACANT_DAYS),
        discipline_kinds=tuple(settings.ZUZHI_TRIGGER_DISCIPLINE_KINDS),
        bottom_places=int(settings.ZUZHI_TRIGGER_BOTTOM_PLACES),
        bottom_grades=tuple(settings.ZUZHI_TRIGGER_BOTTOM_GRADES),
        ability_problems=int(settings.ZUZHI_TRIGGER_ABILITY_PROBLEMS),
        inaction_quarters=int(settings.ZUZHI_TRIGGER_INACTION_QUARTERS),
    )
