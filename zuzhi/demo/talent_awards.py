"""Demo talent awards (演示人才评选), run on the contest engine through the real services as the
talent office would: the 2026 拔尖人才 award (the panel has scored, the result is published)
and the 2026 回创之星 award (judging under way, the public vote open)."""

import random
from decimal import Decimal

from zuzhi.accounts.models import User
from zuzhi.contests import selectors, services
from zuzhi.contests.models import Contest, StageKind, Track
from zuzhi.contests.voting.services import Voter, VoteRefused, vote_cast
from zuzhi.talent.models import Talent, TalentStatus

from .seeding import DemoCounty

CRITERIA = [
    {"name": "业绩贡献", "max_score": Decimal(40)},
    {"name": "创新能力", "max_score": Decimal(30)},
    {"name": "示范带动", "max_score": Decimal(30)},
]
STORIES = [
    "带领团队攻克氯碱副产物综合利用难题，年新增产值三千余万元。",
    "研发医药中间体连续化生产工艺，收率提高十二个百分点。",
    "返乡创办新材料企业，吸纳本地群众就业一百余人。",
    "扎根县医院十余年，开展新技术新项目二十余项。",
    "牵头建设县级专家工作站，引进院士团队开展技术攻关。",
    "回乡发展特色种植和农产品电商，带动三百余户增收。",
]
PANEL = 5


def _award(actor, county, name: str, stages: list[dict], top_n: int) -> Contest:
    return services.contest_create(
        actor=actor,
        organization=county,
        data={
            "name": name,
            "track": Track.TALENT,
            "period_label": "2026年",
            "top_n": top_n,
            "description": "县委人才工作领导小组办公室组织评选。",
        },
        stages=stages,
    )


def _enter(actor, contest: Contest, talents: list[Talent]) -> None:
    for i, talent in enumerate(talents):
        services.entrant_add(
            actor=actor, contest=contest, talent=talent, story=STORIES[i % len(STORIES)]
        )


def _judge(actor, contest: Contest, judges, rng: random.Random, *, scored: int) -> None:
    """The panel scores the first `scored` entrants, one on stage after another."""
    stage = contest.stages.get(kind=StageKind.JUDGES)
    criteria = list(stage.criteria.all())
    for entrant in contest.entrants.order_by("number")[:scored]:
        services.appearance_open(actor=actor, stage=stage, entrant=entrant)
        quality = Decimal(rng.randint(72, 96)) / 100
        for judge in judges:
            marks = {
                str(c.pk): min(
                    c.max_score,
                    (c.max_score * (quality + Decimal(rng.randint(-6, 6)) / 100)).quantize(
                        Decimal("0.1")
                    ),
                )
                for c in criteria
            }
            services.sheet_submit(judge=judge, stage=stage, entrant=entrant, marks=marks)
        services.appearance_close(actor=actor, appearance=selectors.current_appearance(stage))


def _votes(contest: Contest, rng: random.Random, voters: int) -> None:
    entrants = list(contest.entrants.order_by("number"))
    weights = [rng.randint(1, 10) for _ in entrants]
    for n in range(voters):
        entrant = rng.choices(entrants, weights=weights)[0]
        try:
            vote_cast(
                contest_id=contest.pk,
                entrant_id=entrant.pk,
                voter=Voter(phone_digest=f"demo-talent-{n:06d}", phone_tail=f"{n % 10000:04d}"),
                device=f"demo-talent-device-{n:06d}",
                ip=f"10.{n % 200}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            )
        except VoteRefused:
            continue


def seed_talent_awards(*, demo: DemoCounty, rng: random.Random) -> int:
    """Create the two awards once, as the account talent_officer; a rerun finds them and does
    nothing. Needs the registry's talents and the judge accounts (judge1…) seeded before."""
    county = demo.county
    if Contest.objects.filter(organization=county, track=Track.TALENT).exists():
        return 0
    actor = User.objects.get(username="talent_officer")
    judges = list(User.objects.filter(username__startswith="judge").order_by("username")[:PANEL])
    present = Talent.objects.filter(county=county, status=TalentStatus.IN_COUNTY)
    high_level = list(present.filter(title__high_level=True).order_by("pk")[:10])
    others = list(present.exclude(pk__in=[t.pk for t in high_level]).order_by("pk"))
    top = high_level + others[: max(0, 10 - len(high_level))]
    returnees = [t for t in others if t not in top][:8]

    top_award = _award(
        actor,
        county,
        "2026年度拔尖人才评选",
        [
            {
                "kind": StageKind.JUDGES,
                "name": "专家评审",
                "weight": Decimal(100),
                "aggregation": "trimmed",
                "criteria": CRITERIA,
            }
        ],
        top_n=5,
    )
    _enter(actor, top_award, top)
    stage = top_award.stages.get(kind=StageKind.JUDGES)
    for judge in judges:
        services.judge_seat(actor=actor, stage=stage, judge=judge)
    services.contest_start(actor=actor, contest=top_award)
    _judge(actor, top_award, judges, rng, scored=len(top))
    version = services.result_compute(actor=actor, contest=top_award)
    services.result_publish(actor=actor, version=version)

    star = _award(
        actor,
        county,
        "2026年度回创之星评选",
        [
            {
                "kind": StageKind.JUDGES,
                "name": "评委评审",
                "weight": Decimal(60),
                "aggregation": "trimmed",
                "criteria": CRITERIA,
            },
            {"kind": StageKind.PUBLIC_VOTE, "name": "网络投票", "weight": Decimal(40)},
        ],
        top_n=3,
    )
    _enter(actor, star, returnees)
    stage = star.stages.get(kind=StageKind.JUDGES)
    for judge in judges:
        services.judge_seat(actor=actor, stage=stage, judge=judge)
    services.contest_start(actor=actor, contest=star)
    # Judging under way: half the returnees have been before the panel.
    _judge(actor, star, judges, rng, scored=len(returnees) // 2)
    _votes(star, rng, 300)
    return 2
