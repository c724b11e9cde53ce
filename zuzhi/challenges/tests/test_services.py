"""The challenge's workflow: guarded transitions that say the rule they enforce, the experts'
scores averaged by the database, and payments that never pass the reward."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.challenges import selectors, services
from zuzhi.challenges.models import ChallengePayment, ChallengeState

from .conftest import DEADLINE, apply, make_challenge

S = ChallengeState


def test_reward_is_integer_fen_and_positive(talent_world, today):
    challenge = make_challenge(talent_world.office, reward_fen=12_345)
    assert challenge.reward_fen == 12_345 and challenge.reward_yuan == "123.45"
    with pytest.raises(ValidationError):
        make_challenge(talent_world.office, reward_fen=0)


def test_publish_then_only_published_takes_applications(talent_world, today):
    office = talent_world.office
    challenge = make_challenge(office)
    with pytest.raises(ValidationError, match="只有揭榜中的榜单可以登记揭榜申请"):
        apply(office, challenge)
    challenge = services.challenge_publish(actor=office, challenge=challenge)
    assert challenge.state == S.PUBLISHED and challenge.published_on == today.value
    with pytest.raises(ValidationError, match="只有草稿可以修改"):
        services.challenge_update(actor=office, challenge=challenge, data={"reward_fen": 1})
    application = apply(office, challenge)
    assert [m.name for m in application.members.all()] == ["李明", "王芳"]
    with pytest.raises(ValidationError) as exc:
        apply(office, challenge, submitted_on=DEADLINE + datetime.timedelta(days=1))
    assert "submitted_on" in exc.value.message_dict


def test_a_challenge_past_its_deadline_is_not_published(talent_world, today):
    challenge = make_challenge(talent_world.office, deadline=today.value - datetime.timedelta(1))
    with pytest.raises(ValidationError, match="截止日期已过"):
        services.challenge_publish(actor=talent_world.office, challenge=challenge)


def test_review_starts_the_day_after_the_deadline(talent_world, today):
    office = talent_world.office
    challenge = make_challenge(office)
    services.challenge_publish(actor=office, challenge=challenge)
    apply(office, challenge)
    today.set(DEADLINE)
    with pytest.raises(ValidationError, match="截止前仍可申请揭榜"):
        services.challenge_review(actor=office, challenge=challenge)
    today.set(DEADLINE + datetime.timedelta(days=1))
    challenge = services.challenge_review(actor=office, challenge=challenge)
    assert challenge.state == S.REVIEWING


def test_review_needs_applications_and_close_needs_a_reason(talent_world, today):
    office = talent_world.office
    challenge = make_challenge(office)
    services.challenge_publish(actor=office, challenge=challenge)
    today.set(DEADLINE + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="没有揭榜申请"):
        services.challenge_review(actor=office, challenge=challenge)
    with pytest.raises(ValidationError):
        services.challenge_close(actor=office, challenge=challenge, reason="")
    challenge = services.challenge_close(actor=office, challenge=challenge, reason="无人揭榜")
    assert challenge.state == S.CLOSED and challenge.winner is None
    with pytest.raises(ValidationError, match="未揭榜关闭"):
        services.challenge_publish(actor=office, challenge=challenge)


def test_experts_scores_are_averaged_by_the_database(talent_world, reviewing):
    office = talent_world.office
    challenge, first, second = reviewing
    zhang = services.reviewer_add(actor=office, challenge=challenge, name="张院士")
    liu = services.reviewer_add(actor=office, challenge=challenge, name="刘教授")
    with pytest.raises(ValidationError, match="已在名单中"):
        services.reviewer_add(actor=office, challenge=challenge, name="张院士")
    services.score_set(actor=office, application=first, reviewer=zhang, score=Decimal("90.5"))
    services.score_set(actor=office, application=first, reviewer=liu, score=Decimal("85"))
    services.score_set(actor=office, application=second, reviewer=zhang, score=Decimal("70"))
    # A correction replaces the expert's score.
    services.score_set(actor=office, application=second, reviewer=zhang, score=Decimal("72"))
    with pytest.raises(ValidationError) as exc:
        services.score_set(actor=office, application=first, reviewer=liu, score=Decimal("100.5"))
    assert exc.value.message_dict == {"score": ["评分应为 0 至 100 的数，最多两位小数。"]}
    ranked = list(selectors.application_list(challenge=challenge))
    assert [(a.pk, a.average_score, a.score_count) for a in ranked] == [
        (first.pk, Decimal("87.75"), 2),
        (second.pk, Decimal("72"), 1),
    ]


def test_award_needs_a_reason_and_an_application_of_the_challenge(talent_world, reviewing):
    office = talent_world.office
    challenge, first, _ = reviewing
    with pytest.raises(ValidationError) as exc:
        services.challenge_award(actor=office, challenge=challenge, application=first, reason=" ")
    assert exc.value.message_dict == {"reason": ["请填写确定揭榜方的理由。"]}
    challenge = services.challenge_award(
        actor=office, challenge=challenge, application=first, reason="方案最优，团队实力强"
    )
    assert (challenge.state, challenge.winner, challenge.award_reason) == (
        S.AWARDED,
        first,
        "方案最优，团队实力强",
    )
    with pytest.raises(ValidationError, match="请先列出攻关节点"):
        services.challenge_start(actor=office, challenge=challenge)


def test_completion_needs_every_milestone_done_with_evidence(talent_world, in_progress, today):
    office = talent_world.office
    challenge, one, two = in_progress
    today.set(datetime.date(2027, 7, 1))
    with pytest.raises(ValidationError, match="请填写完成情况及佐证"):
        services.milestone_done(actor=office, milestone=one, done_on=today.value, evidence="")
    services.milestone_done(actor=office, milestone=one, done_on=today.value, evidence="中试报告")
    with pytest.raises(ValidationError, match="还有 1 个攻关节点未完成"):
        services.challenge_complete(actor=office, challenge=challenge)
    services.milestone_done(actor=office, milestone=two, done_on=today.value, evidence="验收报告")
    challenge = services.challenge_complete(actor=office, challenge=challenge)
    assert challenge.state == S.COMPLETED


def test_payments_never_pass_the_reward(talent_world, in_progress, today):
    office = talent_world.office
    challenge, one, two = in_progress
    paid_on = today.value
    services.payment_record(
        actor=office, challenge=challenge, milestone=one, amount_fen=20_000_000, paid_on=paid_on
    )
    services.payment_record(
        actor=office, challenge=challenge, milestone=two, amount_fen=29_999_999, paid_on=paid_on
    )
    with pytest.raises(ValidationError) as exc:
        services.payment_record(
            actor=office, challenge=challenge, milestone=two, amount_fen=2, paid_on=paid_on
        )
    assert exc.value.message_dict["amount_fen"] == [
        "拨付后累计 500000.01 元，超过奖励金额 500000.00 元"
        "（已拨付 499999.99 元，最多还可拨付 0.01 元）。"
    ]
    services.payment_record(
        actor=office, challenge=challenge, milestone=two, amount_fen=1, paid_on=paid_on
    )
    assert services.paid_fen(challenge) == challenge.reward_fen == 50_000_000
    with pytest.raises(ValidationError):
        services.payment_record(
            actor=office, challenge=challenge, milestone=one, amount_fen=1, paid_on=paid_on
        )
    assert ChallengePayment.objects.count() == 3


def test_payments_are_against_a_milestone_of_the_challenge(talent_world, in_progress, today):
    office = talent_world.office
    challenge, one, _ = in_progress
    with pytest.raises(ValidationError, match="整数"):
        services.payment_record(
            actor=office, challenge=challenge, milestone=one, amount_fen=0, paid_on=today.value
        )


def test_no_payment_before_a_winner(talent_world, reviewing, today):
    challenge, _, _ = reviewing
    with pytest.raises(ValidationError, match="确定揭榜方后才能"):
        services.milestone_add(
            actor=talent_world.office, challenge=challenge, title="x", due_on=today.value
        )


@pytest.mark.parametrize("who", ["other_office", "county_staff", "township"])
def test_only_the_county_office_moves_a_challenge(talent_world, reviewing, who):
    actor = getattr(talent_world, who)
    challenge, first, _ = reviewing
    with pytest.raises(Http404):
        services.challenge_award(actor=actor, challenge=challenge, application=first, reason="x")
    with pytest.raises(Http404):
        services.challenge_close(actor=actor, challenge=challenge, reason="x")
    with pytest.raises(Http404):
        services.reviewer_add(actor=actor, challenge=challenge, name="冒名专家")
    challenge.refresh_from_db()
    assert challenge.state == S.REVIEWING and not challenge.reviewers.exists()


def test_an_application_is_dated_between_publishing_and_today(talent_world, today):
    office = talent_world.office
    challenge = make_challenge(office)
    today.set(datetime.date(2026, 11, 10))
    services.challenge_publish(actor=office, challenge=challenge)
    today.set(datetime.date(2026, 11, 23))
    with pytest.raises(ValidationError) as before_publishing:
        apply(office, challenge, submitted_on=datetime.date(2026, 11, 9))
    assert before_publishing.value.message_dict["submitted_on"] == [
        "申请日期不能早于发榜日期（2026-11-10）。"
    ]
    with pytest.raises(ValidationError) as future:
        apply(office, challenge, submitted_on=datetime.date(2026, 11, 24))
    assert future.value.message_dict["submitted_on"] == ["申请日期不能晚于今天。"]
    assert apply(office, challenge, submitted_on=datetime.date(2026, 11, 10)).pk
    assert apply(office, challenge, submitted_on=datetime.date(2026, 11, 23)).pk


def test_milestones_and_payments_are_dated_between_the_award_and_today(
    talent_world, in_progress, today
):
    office = talent_world.office
    challenge, one, _ = in_progress
    awarded = challenge.awarded_on
    day_before, day_after = (awarded + datetime.timedelta(days=d) for d in (-1, 1))
    today.set(awarded)
    pay = {"actor": office, "challenge": challenge, "milestone": one, "amount_fen": 100}
    with pytest.raises(ValidationError) as early:
        services.payment_record(**pay, paid_on=day_before)
    assert early.value.message_dict["paid_on"] == [
        f"拨付日期不能早于确定揭榜方的日期（{awarded:%Y-%m-%d}）。"
    ]
    with pytest.raises(ValidationError, match="拨付日期不能晚于今天"):
        services.payment_record(**pay, paid_on=day_after)
    services.payment_record(**pay, paid_on=awarded)
    done = {"actor": office, "milestone": one, "evidence": "中试报告"}
    with pytest.raises(ValidationError, match="完成日期不能早于确定揭榜方的日期"):
        services.milestone_done(**done, done_on=day_before)
    with pytest.raises(ValidationError, match="完成日期不能晚于今天"):
        services.milestone_done(**done, done_on=day_after)
    services.milestone_done(**done, done_on=awarded)
