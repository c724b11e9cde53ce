"""Each trigger at its threshold (one short of it opens nothing), no duplicate cases, and
causes that are excused or decided not raised again."""

import datetime

import pytest
from django.utils import timezone

from zuzhi.adjustments.models import AdjustmentCase, CaseCause, CaseStatus, Trigger
from zuzhi.adjustments.services import case_decide, triggers_evaluate
from zuzhi.archive.models import ArchiveEntry, SupervisionRecord, SupervisionStatus
from zuzhi.archive.services import entry_record, entry_reverse, supervision_record
from zuzhi.cadres.models import AnnualAssessment, TeamPost
from zuzhi.core.scope import SYSTEM
from zuzhi.three_ones.models import Aspect, Problem

TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def cases(trigger: str, **filters):
    return AdjustmentCase.objects.filter(trigger=trigger, **filters)


# --- 职务空缺 ------------------------------------------------------------------------------


def test_a_post_vacant_more_than_the_days_opens_one_case(world, settings):
    settings.ZUZHI_TRIGGER_VACANT_DAYS = 30
    post = world.team_a.posts.get(title="组织委员")
    TeamPost.objects.filter(pk=post.pk).update(vacant_since=days_ago(30))
    triggers_evaluate(today=TODAY)
    assert not cases(Trigger.VACANT_POST, team_post=post).exists()  # 30 days is not more

    TeamPost.objects.filter(pk=post.pk).update(vacant_since=days_ago(31))
    triggers_evaluate(today=TODAY)
    triggers_evaluate(today=TODAY + datetime.timedelta(days=5))
    case = cases(Trigger.VACANT_POST, team_post=post).get()
    assert case.cadre is None and case.organization_id == world.team_a.organization_id
    assert "组织委员" in case.title and "空缺" in case.title
    assert case.causes.count() == 1


def test_a_post_vacant_again_after_its_case_was_decided_opens_a_new_case(world):
    post = world.team_a.posts.get(title="组织委员")
    TeamPost.objects.filter(pk=post.pk).update(vacant_since=days_ago(60))
    triggers_evaluate(today=TODAY)
    first = cases(Trigger.VACANT_POST, team_post=post).get()
    case_decide(actor=world.staff, case=first, decision="adjust_post", reason="已选配")
    triggers_evaluate(today=TODAY)
    assert cases(Trigger.VACANT_POST, team_post=post).count() == 1  # same vacancy: decided

    TeamPost.objects.filter(pk=post.pk).update(vacant_since=days_ago(40))  # vacant again
    triggers_evaluate(today=TODAY)
    assert cases(Trigger.VACANT_POST, team_post=post, status=CaseStatus.OPEN).count() == 1


# --- 纪法出事 ------------------------------------------------------------------------------


def test_a_discipline_record_opens_a_case_when_it_is_recorded(world):
    supervision_record(
        actor=world.staff,
        cadre=world.chief_a,
        kind="admonishment",
        date=days_ago(3),
        source="县纪委监委",
        text="诫勉谈话",
    )
    case = cases(Trigger.DISCIPLINE, cadre=world.chief_a).get()
    assert "诫勉" in case.title and case.status == CaseStatus.OPEN
    triggers_evaluate(today=TODAY)
    assert cases(Trigger.DISCIPLINE).count() == 1


def test_a_second_record_joins_the_open_case(world):
    for kind in ("admonishment", "party_discipline"):
        supervision_record(
            actor=world.staff, cadre=world.chief_a, kind=kind, date=days_ago(3), source="县纪委",
            text="记录",
        )  # fmt: skip
    case = cases(Trigger.DISCIPLINE, cadre=world.chief_a).get()
    assert case.causes.count() == 2
    assert "诫勉" in case.title and "党纪处分" in case.title


def test_a_negative_list_item_alone_opens_no_discipline_case(world):
    supervision_record(
        actor=world.staff,
        cadre=world.chief_a,
        kind="performance_view",
        date=days_ago(3),
        source="巡察",
        text="形象工程",
    )
    assert not AdjustmentCase.objects.exists()


@pytest.mark.parametrize("status", [SupervisionStatus.EXCUSED, SupervisionStatus.CLEARED])
def test_excused_and_cleared_records_feed_no_trigger(world, status):
    SupervisionRecord.objects.create(
        cadre=world.chief_a, kind="admonishment", date=days_ago(3), source="县纪委", text="x",
        status=status,
    )  # fmt: skip
    triggers_evaluate(today=TODAY)
    assert not AdjustmentCase.objects.exists()


def test_a_record_older_than_twelve_months_opens_nothing(world):
    SupervisionRecord.objects.create(
        cadre=world.chief_a, kind="admonishment", date=days_ago(367), source="县纪委", text="x"
    )
    triggers_evaluate(today=TODAY)
    assert not AdjustmentCase.objects.exists()


# --- 业绩倒数 ------------------------------------------------------------------------------


def test_publishing_an_index_opens_cases_for_the_leaders_of_the_last_places(
    world, published_index, settings
):
    # The fixture published 城关镇 1st, 新集镇 2nd, 城郊乡 3rd of 3; the default is the last 2.
    case = cases(Trigger.BOTTOM, cadre=world.chief_b).get()
    assert case.title == "城郊乡党委 在 2026年第三季度综合指数 中排名第 3/3"
    assert not cases(Trigger.BOTTOM, cadre=world.chief_a).exists()  # first place
    assert not cases(Trigger.BOTTOM, cadre=world.deputy_a).exists()


def test_the_number_of_bottom_places_is_a_setting(world, settings, published_index):
    settings.ZUZHI_TRIGGER_BOTTOM_PLACES = 3
    triggers_evaluate(today=TODAY)
    assert cases(Trigger.BOTTOM, cadre=world.chief_a).exists()  # now inside the last three
    assert cases(Trigger.BOTTOM, cadre=world.chief_b).count() == 1  # and still one case


def test_a_bottom_ranking_and_a_grade_make_one_case_with_both_causes(world, published_index):
    AnnualAssessment.objects.create(cadre=world.chief_b, year=TODAY.year - 1, result="basically")
    triggers_evaluate(today=TODAY)
    case = cases(Trigger.BOTTOM, cadre=world.chief_b).get()
    assert set(case.causes.values_list("key", flat=True)) == {
        f"contest:{published_index.pk}",
        f"grade:{TODAY.year - 1}",
    }
    assert f"{TODAY.year - 1} 年度考核基本称职" in case.title


@pytest.mark.parametrize(
    ("result", "year_back", "opens"),
    [
        ("basically", 1, True),
        ("incompetent", 1, True),
        ("competent", 1, False),
        ("excellent", 0, False),
        ("basically", 2, False),  # an old grade: weighed in its own year
    ],
)
def test_annual_grades_that_open_a_bottom_case(world, result, year_back, opens):
    AnnualAssessment.objects.create(
        cadre=world.deputy_a, year=TODAY.year - year_back, result=result
    )
    triggers_evaluate(today=TODAY)
    assert cases(Trigger.BOTTOM, cadre=world.deputy_a).exists() is opens


# --- 人岗不适 ------------------------------------------------------------------------------


def test_ability_problems_open_a_case_at_the_threshold_and_not_one_short(world, settings):
    settings.ZUZHI_TRIGGER_ABILITY_PROBLEMS = 3
    world.log_problems(world.deputy_a, Aspect.ABILITY, [100, 50])
    assert not cases(Trigger.MISMATCH).exists()
    world.log_problems(world.deputy_a, Aspect.ABILITY, [10])  # the third: opens at once
    case = cases(Trigger.MISMATCH, cadre=world.deputy_a).get()
    assert "能力方面问题 3 个" in case.title
    world.log_problems(world.deputy_a, Aspect.ABILITY, [5])  # a fourth adds nothing new
    assert cases(Trigger.MISMATCH).count() == 1 and case.causes.count() == 1


def test_ability_problems_outside_twelve_months_do_not_count(world):
    world.log_problems(world.deputy_a, Aspect.ABILITY, [400, 380, 10])
    triggers_evaluate(today=TODAY)
    assert not cases(Trigger.MISMATCH).exists()


def test_problems_weighed_in_a_decided_case_are_not_counted_again(world):
    world.log_problems(world.deputy_a, Aspect.ABILITY, [90, 80, 70])
    case = cases(Trigger.MISMATCH, cadre=world.deputy_a).get()
    case_decide(
        actor=world.staff, case=case, decision="keep", reason="已谈话提醒", decided_on=days_ago(60)
    )
    world.log_problems(world.deputy_a, Aspect.ABILITY, [5, 4])  # two more: 5 in 12 months
    assert cases(Trigger.MISMATCH, status=CaseStatus.OPEN).count() == 0
    world.log_problems(world.deputy_a, Aspect.ABILITY, [3])  # three since the decision
    assert cases(Trigger.MISMATCH, status=CaseStatus.OPEN).count() == 1


def test_other_aspects_do_not_count_as_ability(world):
    world.log_problems(world.deputy_a, Aspect.MINDSET, [30, 20, 10])
    assert not cases(Trigger.MISMATCH).exists()


# --- 躺平无为 ------------------------------------------------------------------------------


def test_a_conduct_problem_and_no_achievement_for_two_quarters_is_inaction(world):
    world.log_problems(world.deputy_a, Aspect.CONDUCT, [20])
    case = cases(Trigger.INACTION, cadre=world.deputy_a).get()
    assert "无实绩条目" in case.title and "作风方面问题 1 个" in case.title


def test_an_achievement_in_the_window_prevents_inaction(world):
    entry_record(
        actor=world.staff, cadre=world.deputy_a, date=days_ago(40), kind="achievement",
        text="完成人居环境整治", category="",
    )  # fmt: skip
    world.log_problems(world.deputy_a, Aspect.CONDUCT, [20])
    assert not cases(Trigger.INACTION).exists()


def test_a_reversed_achievement_does_not_count(world):
    entry = entry_record(
        actor=world.staff, cadre=world.deputy_a, date=days_ago(40), kind="achievement",
        text="误记", category="",
    )  # fmt: skip
    entry_reverse(actor=world.staff, entry=entry, reason="登记错误")
    world.log_problems(world.deputy_a, Aspect.CONDUCT, [20])
    assert cases(Trigger.INACTION, cadre=world.deputy_a).exists()


def test_an_achievement_before_the_window_does_not_count(world):
    from zuzhi.adjustments.triggers import inaction_window

    start = inaction_window(TODAY, 2)
    entry_record(
        actor=world.staff, cadre=world.deputy_a, date=start - datetime.timedelta(days=1),
        kind="achievement", text="上半年的实绩", category="",
    )  # fmt: skip
    world.log_problems(world.deputy_a, Aspect.CONDUCT, [1])
    assert cases(Trigger.INACTION, cadre=world.deputy_a).exists()
    assert ArchiveEntry.objects.filter(cadre=world.deputy_a).count() == 1


def test_without_a_conduct_problem_there_is_no_inaction(world):
    world.log_problems(world.deputy_a, Aspect.ABILITY, [20])
    triggers_evaluate(today=TODAY)
    assert not cases(Trigger.INACTION).exists()


def test_the_inaction_window_is_whole_quarters_before_the_current_one():
    from zuzhi.adjustments.triggers import inaction_window

    assert inaction_window(datetime.date(2026, 12, 5), 2) == datetime.date(2026, 4, 1)
    assert inaction_window(datetime.date(2026, 1, 1), 2) == datetime.date(2025, 7, 1)
    assert inaction_window(datetime.date(2026, 12, 5), 1) == datetime.date(2026, 7, 1)


@pytest.mark.parametrize(("quarters", "opens"), [(2, False), (1, True)])
def test_inaction_quarters_is_a_setting(world, settings, quarters, opens):
    from zuzhi.adjustments.triggers import inaction_window

    settings.ZUZHI_TRIGGER_INACTION_QUARTERS = quarters
    # An achievement inside a two-quarter window but before a one-quarter window.
    entry_record(
        actor=world.staff, cadre=world.deputy_a, kind="achievement", text="上半年的实绩",
        date=inaction_window(TODAY, 2) + datetime.timedelta(days=10), category="",
    )  # fmt: skip
    world.log_problems(world.deputy_a, Aspect.CONDUCT, [1])
    assert cases(Trigger.INACTION, cadre=world.deputy_a).exists() is opens


# --- the whole --------------------------------------------------------------------------------


def test_evaluating_again_creates_nothing(world, published_index):
    post = world.team_a.posts.get(title="组织委员")
    TeamPost.objects.filter(pk=post.pk).update(vacant_since=days_ago(90))
    world.log_problems(world.deputy_a, Aspect.CONDUCT, [20])
    triggers_evaluate(today=TODAY)
    counts = (AdjustmentCase.objects.count(), CaseCause.objects.count())
    assert counts[0] >= 3
    result = triggers_evaluate(today=TODAY)
    assert (AdjustmentCase.objects.count(), CaseCause.objects.count()) == counts
    assert result.opened == [] and result.joined == 0


def test_evaluation_costs_the_same_queries_for_one_cadre_or_ten(
    world, county, django_assert_max_num_queries
):
    from zuzhi.testing.factories import make_cadre, valid_id_number

    world.log_problems(world.deputy_a, Aspect.ABILITY, [30, 20, 10])
    AdjustmentCase.objects.all().delete()
    CaseCause.objects.all().delete()
    with django_assert_max_num_queries(30) as few:
        triggers_evaluate(actor=SYSTEM, today=TODAY)
    baseline = len(few.captured_queries)
    AdjustmentCase.objects.all().delete()
    CaseCause.objects.all().delete()
    seen = list(Problem.objects.filter(cadre=world.deputy_a))
    for n in range(10):
        cadre = make_cadre(
            county.town_a, name=f"干部{n}", id_number=valid_id_number(sequence=100 + n)
        )
        # Straight into the table: the rule reads problems, however they were logged.
        Problem.objects.bulk_create(
            Problem(
                cadre=cadre, contact=p.contact, problem_type=p.problem_type, found_on=p.found_on
            )
            for p in seen
        )
    with django_assert_max_num_queries(baseline):
        triggers_evaluate(actor=SYSTEM, today=TODAY)
    assert AdjustmentCase.objects.count() == 11


def test_the_daily_command_opens_what_time_has_made_a_cause(world):
    import io

    from django.core.management import call_command

    post = world.team_a.posts.get(title="组织委员")
    TeamPost.objects.filter(pk=post.pk).update(vacant_since=days_ago(10))
    out = io.StringIO()
    call_command("evaluate-triggers", "--date", TODAY.isoformat(), stdout=out)
    assert not cases(Trigger.VACANT_POST).exists()
    later = TODAY + datetime.timedelta(days=21)
    call_command("evaluate-triggers", "--date", later.isoformat(), stdout=out)
    assert cases(Trigger.VACANT_POST, team_post=post).exists()
    assert "新启动 1 件" in out.getvalue()


def _appraise(world, bad_votes: int, ballots: int = 6):
    """A closed democratic appraisal of town A's team by one group: `bad_votes` of the ballots
    grade the deputy 基本称职 overall, the rest 称职."""
    from decimal import Decimal

    from zuzhi.team_appraisal import services as appraisal

    round_, codes = appraisal.appraisal_open(
        actor=world.staff,
        team=world.team_a,
        year=TODAY.year,
        groups=[appraisal.GroupInput("班子成员", Decimal(100), ballots)],
    )
    subjects = {s.cadre_id: s.pk for s in round_.subjects.all()}
    for n, code in enumerate(next(iter(codes.values()))):
        marks = {
            pk: dict.fromkeys(["de", "neng", "qin", "ji", "lian", "overall"], "competent")
            for pk in subjects.values()
        }
        if n < bad_votes:
            marks[subjects[world.deputy_a.pk]]["overall"] = "basically"
        appraisal.ballot_cast(appraisal_id=round_.pk, code=code, marks=marks)
    return appraisal.appraisal_close(actor=world.staff, appraisal=round_)


def test_an_appraisal_below_two_thirds_opens_a_mismatch_case_when_it_closes(world):
    _appraise(world, bad_votes=3)  # 称职 3 of 6: below 2/3
    case = cases(Trigger.MISMATCH, cadre=world.deputy_a).get()
    assert "民主测评 优秀+称职 50.0%" in case.title
    assert not cases(Trigger.MISMATCH, cadre=world.chief_a).exists()


def test_an_appraisal_at_exactly_two_thirds_opens_nothing(world):
    _appraise(world, bad_votes=2)  # 4 of 6 is exactly 2/3: not below
    triggers_evaluate(today=TODAY)
    assert not cases(Trigger.MISMATCH).exists()


def test_the_window_sliding_adds_no_second_ability_cause_to_an_open_case(world):
    world.log_problems(world.deputy_a, Aspect.ABILITY, [300, 200, 100, 10])
    case = cases(Trigger.MISMATCH, cadre=world.deputy_a).get()
    # Two months on, the first problem has left the window: still three, another "third".
    triggers_evaluate(today=TODAY + datetime.timedelta(days=70))
    assert case.causes.count() == 1
