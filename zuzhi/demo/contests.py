"""Demo contests (演示考评竞赛), run through the real services as the county staff would:
the village top ten (initial round and arena, published), the township cup (judging under
way), "most beautiful Party member" (public voting open) and a quarterly index with red and
black lists and supervision cases."""

import random
from decimal import Decimal

from django.core.files.base import ContentFile

from zuzhi.accounts.models import User
from zuzhi.contests import selectors, services
from zuzhi.contests.models import Contest, StageKind
from zuzhi.contests.voting.services import Voter, VoteRefused, vote_cast
from zuzhi.members.models import Member, MemberStatus
from zuzhi.orgs.models import Organization

from .seeding import DemoCounty

STORIES = [
    "扎根基层二十余年，带领群众发展香菇种植，户均增收一万余元。",
    "退休不褪色，义务调解邻里纠纷三百余起，被群众称为“老娘舅”。",
    "疫情期间连续值守卡点四十多天，帮助独居老人代购药品和生活物资。",
    "创办合作社吸纳脱贫户就业，坚持每月走访困难党员和群众。",
    "牵头修通村组道路八公里，自掏腰包为村小学添置图书。",
]


def _template(name: str) -> Contest:
    return Contest.objects.get(is_template=True, name=name)


def _evidence(name: str) -> ContentFile:
    return ContentFile(b"%PDF-1.4\n% demo evidence\n", name=name)


def _voter(n: int) -> Voter:
    return Voter(phone_digest=f"demo-phone-{n:06d}", phone_tail=f"{n % 10000:04d}")


def _judge_everyone(contest, actor, judges, rng, *, leave_last_open=False, skip=0):
    stage = contest.stages.get(kind=StageKind.JUDGES)
    criteria = list(stage.criteria.all())
    entrants = list(contest.entrants.order_by("number"))
    scored = entrants[: len(entrants) - skip] if skip else entrants
    for index, entrant in enumerate(scored):
        services.appearance_open(actor=actor, stage=stage, entrant=entrant)
        last = leave_last_open and index == len(scored) - 1
        quality = Decimal(rng.randint(70, 95)) / 100
        for seat, judge in enumerate(judges):
            if last and seat >= 3:
                break  # the entrant on stage now: three judges have scored so far
            marks = {
                str(c.pk): min(
                    c.max_score,
                    (c.max_score * (quality + Decimal(rng.randint(-8, 8)) / 100)).quantize(
                        Decimal("0.1")
                    ),
                )
                for c in criteria
            }
            services.sheet_submit(judge=judge, stage=stage, entrant=entrant, marks=marks)
        if not last:
            services.appearance_close(actor=actor, appearance=selectors.current_appearance(stage))


def _cast_votes(contest, rng, voters: int, *, weights=None):
    entrants = list(contest.entrants.order_by("number"))
    weights = weights or [rng.randint(1, 10) for _ in entrants]
    for n in range(voters):
        entrant = rng.choices(entrants, weights=weights)[0]
        try:
            vote_cast(
                contest_id=contest.pk,
                entrant_id=entrant.pk,
                voter=_voter(n),
                device=f"demo-device-{n:06d}",
                ip=f"10.{n % 200}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            )
        except VoteRefused:
            continue


def _fill_values(contest, actor, rng, *, jitter: random.Random | None = None):
    """Every indicator value of every entrant; `jitter` moves each value a little (the same
    villages a quarter earlier: much alike, not the same)."""
    stage = contest.stages.get(kind=StageKind.INDICATORS)
    leaves = selectors.leaf_indicators(stage)
    for entrant in contest.entrants.all():
        strength = rng.uniform(0.5, 1.0)
        for leaf in leaves:
            shift = jitter.uniform(-0.08, 0.08) if jitter else 0
            if leaf.unit == "万元":
                value = Decimal(str(round((strength + shift) * rng.uniform(5, 120), 2)))
            else:
                raw = (strength + shift) * 100 + rng.uniform(-10, 10)
                value = Decimal(str(round(max(0, min(100, raw)), 1)))
            services.indicator_value_set(actor=actor, entrant=entrant, indicator=leaf, value=value)


def _quarterly(actor, county, period: str, rng, *, jitter=None) -> Contest:
    """The villages' quarterly index (村级综合指数) of `period`, every value filled in."""
    contest = services.contest_copy(
        actor=actor,
        source=_template("季度综合指数（红黑榜）"),
        organization=county,
        name=f"{period} 村级综合指数",
        period_label=period,
    )
    services.entrants_add_eligible(actor=actor, contest=contest)
    services.contest_start(actor=actor, contest=contest)
    _fill_values(contest, actor, rng, jitter=jitter)
    return contest


def _publish(contest, actor):
    version = services.result_compute(actor=actor, contest=contest)
    services.result_publish(actor=actor, version=version)
    return version


def seed_contests(*, demo: DemoCounty, rng: random.Random) -> int:
    """Create the demo contests once; a rerun finds them and does nothing."""
    county = demo.county
    if Contest.objects.filter(organization=county, is_template=False).exists():
        return 0
    actor = User.objects.get(username="county_admin")
    township = User.objects.get(username="township1")
    judges = list(User.objects.filter(username__startswith="judge").order_by("username"))
    villages = list(Organization.objects.filter(parent__in=demo.townships).order_by("path"))

    initial = services.contest_copy(
        actor=actor,
        source=_template("村级十强·初评（综合指标）"),
        organization=county,
        name="桐柏英雄杯 村级十强 2026 · 初评",
        period_label="2026年",
    )
    services.entrants_add_eligible(actor=actor, contest=initial)
    services.contest_start(actor=actor, contest=initial)
    _fill_values(initial, actor, rng)
    first_round = _publish(initial, actor)

    arena = services.contest_copy(
        actor=actor,
        source=_template("村级十强·擂台赛（评委 70% + 群众投票 30%）"),
        organization=county,
        name="桐柏英雄杯 村级十强 2026 · 擂台赛",
        period_label="2026年",
    )
    for row in first_round.rows.filter(selected=True).select_related("entrant__organization"):
        services.entrant_add(actor=actor, contest=arena, organization=row.entrant.organization)
    stage = arena.stages.get(kind=StageKind.JUDGES)
    for judge in judges[:7]:
        services.judge_seat(actor=actor, stage=stage, judge=judge)
    services.contest_start(actor=actor, contest=arena)
    _judge_everyone(arena, actor, judges[:7], rng)
    _cast_votes(arena, rng, 1500)
    _publish(arena, actor)

    cup = services.contest_copy(
        actor=actor,
        source=_template("乡镇夺杯"),
        organization=county,
        name="乡镇夺杯 2026",
        period_label="2026年",
    )
    services.entrants_add_eligible(actor=actor, contest=cup)
    stage = cup.stages.get(kind=StageKind.JUDGES)
    for judge in judges[:5]:
        services.judge_seat(actor=actor, stage=stage, judge=judge)
    services.contest_start(actor=actor, contest=cup)
    _fill_values(cup, actor, rng)
    report = cup.stages.get(kind=StageKind.PUBLIC_REPORT)
    for entrant in cup.entrants.all():
        services.direct_score_set(
            actor=actor, entrant=entrant, stage=report, score=Decimal(rng.randint(75, 96))
        )
    # Judging under way: most townships have been scored, one is on stage now.
    _judge_everyone(cup, actor, judges[:5], rng, leave_last_open=True, skip=6)

    members = list(
        Member.objects.filter(organization__in=villages[:40], status=MemberStatus.FULL).order_by(
            "pk"
        )[:10]
    )
    finest = services.contest_copy(
        actor=actor,
        source=_template("最美共产党员"),
        organization=county,
        name="最美共产党员 2026",
        period_label="2026年",
    )
    for i, member in enumerate(members):
        services.entrant_add(
            actor=actor, contest=finest, member=member, story=STORIES[i % len(STORIES)]
        )
    stage = finest.stages.get(kind=StageKind.JUDGES)
    for judge in judges[:5]:
        services.judge_seat(actor=actor, stage=stage, judge=judge)
    services.contest_start(actor=actor, contest=finest)
    _cast_votes(finest, rng, 400)

    # Last quarter's index, published: the public 季度晾晒 shows each village's change of rank.
    # Its black-listed villages have since reported their rectification.
    # Drawn from the same state as this quarter's values, then moved a little.
    same = random.Random()
    same.setstate(rng.getstate())
    last_quarter = _quarterly(actor, county, "2026年第二季度", same, jitter=random.Random(2026))
    _publish(last_quarter, actor)
    for case in last_quarter.cases.all():
        services.case_close(actor=actor, case=case, resolution="已按期整改，经县委组织部复核销号。")
    quarterly = _quarterly(actor, county, "2026年第三季度", rng)
    # The township proposes bonus and penalty items for its villages; the county approves.
    entrants = list(
        quarterly.entrants.filter(organization__in=demo.villages[demo.townships[0].pk]).order_by(
            "number"
        )
    )
    for entrant, kind, amount, reason in (
        (entrants[0], "bonus", 3, "获评市级文明村"),
        (entrants[1], "bonus", 2, "承办全县基层党建现场会"),
        (entrants[2], "penalty", 4, "发生一起越级上访"),
    ):
        item = services.adjustment_request(
            actor=township,
            entrant=entrant,
            kind=kind,
            amount=amount,
            reason=reason,
            evidence=_evidence(f"{reason}.pdf"),
        )
        services.adjustment_decide(actor=actor, adjustment=item, approve=True)
    _publish(quarterly, actor)
    return 6
