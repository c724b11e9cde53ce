"""The way of a reserve: township first review, the county joint review (all twelve clear →
pool; one rejection → out, without the reason), priority, exit and appointment, each in the
history."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.joint_reviews import services as review_services
from zuzhi.joint_reviews.models import ReviewItem
from zuzhi.joint_reviews.tests.conftest import make_reviewer
from zuzhi.reserves import lifecycle
from zuzhi.reserves.models import EventKind, ReserveCandidate, ReserveStatus
from zuzhi.testing.factories import valid_id_number

DEADLINE = datetime.date(2026, 12, 31)


@pytest.fixture
def reviewers(county, departments):
    return {d.pk: make_reviewer(county, d) for d in departments}


@pytest.fixture
def departments(db):
    from zuzhi.core.scope import SYSTEM

    return review_services.departments_load_defaults(actor=SYSTEM)


def approved(make_reserve, town_a_user, village, n):
    people = [
        make_reserve(village, id_number=valid_id_number(sequence=400 + i), name=f"人选{i}")
        for i in range(n)
    ]
    return lifecycle.township_review(actor=town_a_user, candidates=people, approve=True)


def history(candidate):
    return list(candidate.events.values_list("kind", flat=True))


def test_township_returns_with_a_reason_and_approves_after_correction(
    county, make_reserve, town_a_user
):
    person = make_reserve(county.village_a1)
    with pytest.raises(ValidationError, match="退回须写明原因"):
        lifecycle.township_review(actor=town_a_user, candidates=[person], approve=False)
    lifecycle.township_review(
        actor=town_a_user, candidates=[person], approve=False, reason="学历证明不全"
    )
    person.refresh_from_db()
    assert (person.status, person.status_reason) == (ReserveStatus.RETURNED, "学历证明不全")
    lifecycle.township_review(actor=town_a_user, candidates=[person], approve=True)
    person.refresh_from_db()
    assert person.status == ReserveStatus.TOWNSHIP_APPROVED
    assert history(person) == [
        EventKind.NOMINATED,
        EventKind.RETURNED,
        EventKind.TOWNSHIP_APPROVED,
    ]


def test_another_township_cannot_review_and_nothing_changes(
    county, make_reserve, town_b_user, town_a_user
):
    mine = make_reserve(county.village_a1)
    with pytest.raises(Http404):
        lifecycle.township_review(actor=town_b_user, candidates=[mine], approve=True)
    mine.refresh_from_db()
    assert mine.status == ReserveStatus.CANDIDATE


def test_only_township_approved_names_go_to_the_county_review(
    county, make_reserve, county_user, town_a_user, departments
):
    person = make_reserve(county.village_a1)
    with pytest.raises(ValidationError, match="待乡镇初审"):
        lifecycle.candidates_send_to_review(
            actor=county_user, candidates=[person], title="第一批", deadline=DEADLINE
        )
    assert not ReviewItem.objects.exists()


def test_a_township_clerk_cannot_open_the_county_review(
    county, make_reserve, town_a_user, departments
):
    people = approved(make_reserve, town_a_user, county.village_a1, 1)
    with pytest.raises(Http404):
        lifecycle.candidates_send_to_review(
            actor=town_a_user, candidates=people, title="第一批", deadline=DEADLINE
        )
    people[0].refresh_from_db()
    assert people[0].status == ReserveStatus.TOWNSHIP_APPROVED


def test_all_twelve_cleared_enter_the_pool_one_rejection_exits_unanswered_wait_again(
    county, make_reserve, county_user, town_a_user, departments, reviewers
):
    cleared, rejected, unanswered = approved(make_reserve, town_a_user, county.village_a1, 3)
    review_round = lifecycle.candidates_send_to_review(
        actor=county_user,
        candidates=[cleared, rejected, unanswered],
        title="2026年第一批",
        deadline=DEADLINE,
    )
    items = {int(i.source_id): i for i in review_round.items.all()}
    assert ReserveCandidate.objects.get(pk=cleared.pk).status == ReserveStatus.IN_REVIEW
    for department in departments:
        for person, verdict in ((cleared, "cleared"), (rejected, "cleared")):
            if person is rejected and department == departments[1]:
                verdict = "rejected"
            review_services.decision_record(
                actor=reviewers[department.pk],
                item=items[person.pk],
                department=department,
                verdict=verdict,
                reason="有在查案件" if verdict == "rejected" else "",
            )
        if department != departments[-1]:  # the twelfth never answers this one
            review_services.decision_record(
                actor=reviewers[department.pk],
                item=items[unanswered.pk],
                department=department,
                verdict="cleared",
            )
    review_services.round_close(actor=county_user, review_round=review_round)
    statuses = dict(
        ReserveCandidate.objects.filter(
            pk__in=[cleared.pk, rejected.pk, unanswered.pk]
        ).values_list("pk", "status")
    )
    assert statuses == {
        cleared.pk: ReserveStatus.IN_POOL,
        rejected.pk: ReserveStatus.EXITED,
        unanswered.pk: ReserveStatus.TOWNSHIP_APPROVED,
    }
    rejected.refresh_from_db()
    # The township reads that it failed, never the department's reason.
    assert rejected.status_reason == "县级联审未通过"
    assert not rejected.events.filter(note__contains="有在查案件").exists()
    assert history(rejected)[-1] == EventKind.REVIEW_REJECTED


def test_pool_steps_priority_exit_and_appointment(county, make_reserve, town_a_user):
    person = make_reserve(county.village_a1)
    with pytest.raises(ValidationError, match="不能列为重点培养"):
        lifecycle.reserve_priority_set(actor=town_a_user, candidate=person, priority=True)
    ReserveCandidate.objects.filter(pk=person.pk).update(status=ReserveStatus.IN_POOL)
    person = lifecycle.reserve_priority_set(actor=town_a_user, candidate=person, priority=True)
    assert person.priority
    with pytest.raises(ValidationError, match="退出须写明原因"):
        lifecycle.reserve_exit(actor=town_a_user, candidate=person, reason=" ")
    person = lifecycle.reserve_appointed(actor=town_a_user, candidate=person, note="当选村委委员")
    assert (person.status, person.priority) == (ReserveStatus.APPOINTED, False)
    # Appointed ends the entry: the same person may be nominated again later.
    again = make_reserve(county.village_a1, id_number=person.id_number)
    assert again.status == ReserveStatus.CANDIDATE


def test_a_round_naming_a_waiting_candidate_under_another_id_moves_nobody(
    county, make_reserve, county_user, town_a_user, departments, reviewers
):
    [waiting] = approved(make_reserve, town_a_user, county.village_a1, 1)
    lifecycle.candidates_send_to_review(
        actor=county_user, candidates=[waiting], title="真批次", deadline=DEADLINE
    )
    forged = review_services.round_open(
        actor=county_user,
        kind="reserve",
        organization=county.county,
        title="另一批次",
        deadline=DEADLINE,
        items=[
            review_services.ItemInput(
                "别人",
                valid_id_number(sequence=499),
                county.village_a1,
                lifecycle.SOURCE_TYPE,
                str(waiting.pk),
            ),
            review_services.ItemInput(
                "坏来源",
                valid_id_number(sequence=498),
                county.village_a1,
                lifecycle.SOURCE_TYPE,
                "abc",
            ),
        ],
    )
    for department in departments:
        review_services.decisions_clear_pending(
            actor=reviewers[department.pk], department=department, items=list(forged.items.all())
        )
    review_services.round_close(actor=county_user, review_round=forged)
    assert ReserveCandidate.objects.get(pk=waiting.pk).status == ReserveStatus.IN_REVIEW


def test_identity_is_frozen_from_the_county_review_and_closed_entries_are_history(
    county, make_reserve, town_a_user
):
    from zuzhi.reserves.services import candidate_update

    person = make_reserve(county.village_a1)
    ReserveCandidate.objects.filter(pk=person.pk).update(status=ReserveStatus.IN_POOL)
    person.refresh_from_db()
    with pytest.raises(ValidationError, match="公民身份号码、村（社区）已经县级联审"):
        candidate_update(
            actor=town_a_user,
            candidate=person,
            data={"id_number": valid_id_number(sequence=497), "village": county.village_a2},
        )
    candidate_update(actor=town_a_user, candidate=person, data={"phone": "13900001111"})
    person = lifecycle.reserve_exit(actor=town_a_user, candidate=person, reason="迁居外地")
    with pytest.raises(ValidationError, match="记录不能再修改"):
        candidate_update(actor=town_a_user, candidate=person, data={"phone": "13900002222"})
    assert ReserveCandidate.objects.get(pk=person.pk).phone == "13900001111"


def test_a_reason_beyond_its_length_is_refused_not_cut(county, make_reserve, town_a_user):
    person = make_reserve(county.village_a1)
    with pytest.raises(ValidationError, match="不超过 200 字"):
        lifecycle.township_review(
            actor=town_a_user, candidates=[person], approve=False, reason="字" * 201
        )
    lifecycle.township_review(
        actor=town_a_user, candidates=[person], approve=False, reason="字" * 200
    )
    assert len(ReserveCandidate.objects.get(pk=person.pk).status_reason) == 200
