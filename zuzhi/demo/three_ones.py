"""A year of "three ones" (三个一) in the demo county: each township Party committee's monthly
visits and quarterly studies and its last four weeks of talks, some finding problems, a few
rectified; one deputy has three 能力 problems within twelve months (what the person-post
trigger counts). Leaders with an account log their own team's; the system logs the rest as
the cadre section. All through the services."""

import datetime
import random

from zuzhi.cadres.models import LeadershipTeam, PostHolding, TeamKind
from zuzhi.core.scope import SYSTEM
from zuzhi.three_ones import services
from zuzhi.three_ones.models import Aspect, Contact, ProblemType
from zuzhi.three_ones.selectors import team_members_on

from .seeding import TODAY

FINDINGS = {
    Aspect.MINDSET: "对新发展理念理解不深，习惯于老办法",
    Aspect.ABILITY: "分管领域情况掌握不细，推进项目办法不多",
    Aspect.CONDUCT: "下村调研次数偏少，有的工作停留在开会部署",
}
SUMMARIES = {
    "weekly_talk": "谈近期分管工作和思想状况，了解到工作推进情况",
    "monthly_visit": "走访所包村和群众，了解其工作作风和群众口碑",
    "quarterly_study": "分析班子运行和成员履职情况，研究改进措施",
}


def _dates(rng: random.Random) -> list[tuple[str, datetime.date]]:
    """A year of visits and studies, and four weeks of talks, before TODAY."""
    dates = []
    for months_back in range(12):
        year, month = divmod(TODAY.year * 12 + TODAY.month - 1 - months_back, 12)
        dates.append(("monthly_visit", datetime.date(year, month + 1, rng.randint(3, 25))))
    for quarter_back in range(4):
        year, month = divmod(TODAY.year * 12 + TODAY.month - 1 - quarter_back * 3, 12)
        dates.append(("quarterly_study", datetime.date(year, month + 1, rng.randint(1, 20))))
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    for week in range(1, 5):
        dates.append(
            ("weekly_talk", monday - datetime.timedelta(weeks=week, days=-rng.randint(0, 4)))
        )
    return [(kind, day) for kind, day in dates if day <= TODAY]


def _leader(team: LeadershipTeam):
    """The account of the team's chief, if they have one (they then log their own team's)."""
    holding = (
        PostHolding.objects.filter(
            team_post__team=team,
            end__isnull=True,
            leadership_level__endswith="_chief",
            cadre__user__isnull=False,
        )
        .select_related("cadre__user")
        .order_by("pk")
        .first()
    )
    return holding.cadre.user if holding else None


def seed_three_ones(*, demo, rng: random.Random) -> int:
    """Logs of every township committee; the count of contacts written."""
    if Contact.objects.exists():
        return 0
    services.problem_types_load_defaults(actor=SYSTEM)
    types = {a: list(ProblemType.objects.filter(aspect=a).order_by("pk")) for a in Aspect.values}
    teams = LeadershipTeam.objects.filter(
        kind=TeamKind.TOWNSHIP_COMMITTEE, organization__in=demo.townships
    ).order_by("organization__path")
    written, flagged, flags = 0, None, 0
    for team in teams:
        user = _leader(team)
        actor = user or SYSTEM
        for kind, day in _dates(rng):
            members = [
                c
                for c in team_members_on(team=team, day=day)
                if user is None or c.user_id != user.pk
            ]
            if not members:
                continue
            seen = members if kind == "quarterly_study" else [rng.choice(members)]
            problems = [
                services.ProblemInput(cadre, rng.choice(types[aspect]), FINDINGS[aspect])
                for cadre in seen
                if rng.random() < 0.12
                for aspect in [rng.choice(Aspect.values)]
            ]
            # The first team's first deputy: three 能力 problems in the last twelve months.
            if kind == "monthly_visit" and flags < 3 and (TODAY - day).days < 300:
                flagged = flagged or members[0]
                if flagged in members:
                    seen = [flagged]
                    problems = [
                        services.ProblemInput(
                            flagged, types[Aspect.ABILITY][flags], FINDINGS[Aspect.ABILITY]
                        )
                    ]
                    flags += 1
            contact = services.contact_log(
                actor=actor,
                team=team,
                kind=kind,
                date=day,
                cadres=seen,
                summary=SUMMARIES[kind],
                problems=problems,
            )
            written += 1
            for problem in contact.problems.all():
                if (TODAY - day).days > 90 and rng.random() < 0.6:
                    services.problem_rectify(
                        actor=actor,
                        problem=problem,
                        rectified_on=day + datetime.timedelta(days=30),
                        note="已约谈提醒，制定整改措施并落实",
                    )
    return written
