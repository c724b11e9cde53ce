import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.core.models import AuditLog
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.joint_reviews import selectors as sel
from zuzhi.joint_reviews import services
from zuzhi.joint_reviews.models import Department, Outcome, ReviewDecision
from zuzhi.testing.factories import user_with_role, valid_id_number

from .conftest import make_reviewer, open_round


def outcome_of(item):
    return sel.with_outcome(type(item).objects.filter(pk=item.pk)).get().outcome


def answer(reviewers, item, department, verdict="cleared", reason=""):
    return services.decision_record(
        actor=reviewers[department.name],
        item=item,
        department=department,
        verdict=verdict,
        reason=reason,
    )


def test_the_default_departments_are_the_twelve_and_loading_twice_adds_none(departments):
    assert [d.name for d in departments][:3] == ["纪委监委", "公安", "法院"]
    assert Department.objects.count() == 12
    assert services.departments_load_defaults(actor=SYSTEM) == []


def test_a_round_takes_every_active_department(county, county_user, departments):
    departments[-1].active = False
    departments[-1].save()
    review_round = open_round(county, county_user)
    assert review_round.departments.count() == 11
    assert AuditLog.objects.filter(target_type="joint_reviews.reviewround").exists()


def test_eleven_cleared_and_one_unanswered_is_pending_twelve_cleared_is_passed(
    review_round, departments, reviewers
):
    item = review_round.items.first()
    for department in departments[:11]:
        answer(reviewers, item, department)
    assert outcome_of(item) == Outcome.PENDING
    answer(reviewers, item, departments[11])
    assert outcome_of(item) == Outcome.PASSED


def test_one_rejection_takes_the_name_out_whatever_the_others_said(
    review_round, departments, reviewers
):
    item = review_round.items.first()
    for department in departments[1:]:
        answer(reviewers, item, department)
    answer(reviewers, item, departments[0], "rejected", "有违纪记录")
    assert outcome_of(item) == Outcome.REJECTED
    other = review_round.items.last()
    assert sel.round_items(review_round=review_round, outcome=Outcome.PENDING).get() == other


def test_a_rejection_needs_a_reason(review_round, departments, reviewers):
    with pytest.raises(ValidationError, match="不通过须填写理由"):
        answer(reviewers, review_round.items.first(), departments[0], "rejected", "  ")


def test_a_reviewer_cannot_answer_for_another_department(review_round, departments, reviewers):
    police = reviewers["公安"]
    with pytest.raises(Http404):
        services.decision_record(
            actor=police,
            item=review_round.items.first(),
            department=departments[0],
            verdict="cleared",
        )
    assert not ReviewDecision.objects.exists()


def test_a_closed_round_takes_no_more_answers(county_user, review_round, departments, reviewers):
    services.round_close(actor=county_user, review_round=review_round)
    with pytest.raises(ValidationError, match="已经结束"):
        answer(reviewers, review_round.items.first(), departments[0])
    assert not sel.reviewer_items(user=reviewers["纪委监委"], department=departments[0]).exists()


def test_a_reviewer_sees_only_their_departments_answers(review_round, departments, reviewers):
    item = review_round.items.first()
    answer(reviewers, item, departments[0], "rejected", "纪委的理由")
    answer(reviewers, item, departments[1], "rejected", "公安的理由")
    seen = sel.reviewer_answers(user=reviewers["公安"], department=departments[1])
    assert [d.reason for d in seen] == ["公安的理由"]
    # Naming another department gives them nothing.
    assert not sel.reviewer_answers(user=reviewers["公安"], department=departments[0]).exists()


def test_township_staff_cannot_open_or_read_rounds(county, town_a_user, review_round):
    assert not sel.rounds_visible(user=town_a_user).exists()
    with pytest.raises(Http404):
        sel.round_get(user=town_a_user, pk=review_round.pk)
    with pytest.raises(Http404):
        open_round(county, town_a_user)


def test_cadre_staff_of_the_county_open_rounds(county, departments):
    cadre_staff = user_with_role(Role.CADRE_STAFF, county.county)
    review_round = open_round(county, cadre_staff, kind="secretary_filing")
    assert sel.round_get(user=cadre_staff, pk=review_round.pk) == review_round


def test_a_village_outside_the_county_and_a_repeated_id_are_refused(
    county, county_user, departments
):
    item = services.ItemInput("甲", valid_id_number(), county.village_a1)
    with pytest.raises(ValidationError, match="重复"):
        services.round_open(
            actor=county_user,
            kind="reserve",
            organization=county.town_a,
            title="x",
            deadline=datetime.date(2026, 12, 31),
            items=[item, item],
        )


def test_clearing_a_page_clears_only_the_pending_names_given(
    county, county_user, departments, reviewers
):
    review_round = open_round(county, county_user, n=4)
    jiwei, department = reviewers["纪委监委"], departments[0]
    first, second, third, fourth = review_round.items.all()
    answer(reviewers, first, department, "rejected", "理由")
    cleared = services.decisions_clear_pending(
        actor=jiwei, department=department, items=[first, second, third]
    )
    assert {d.item for d in cleared} == {second, third}
    assert ReviewDecision.objects.get(item=first).verdict == "rejected"
    assert not ReviewDecision.objects.filter(item=fourth).exists()
    assert AuditLog.objects.filter(target_type="joint_reviews.reviewdecision").count() == 3


def test_a_reviewer_must_hold_the_role(county, departments):
    plain = user_with_role(Role.TOWNSHIP_STAFF, county.town_a)
    with pytest.raises(ValidationError, match="联审部门审核人"):
        services.reviewer_department_assign(actor=SYSTEM, user=plain, department=departments[0])
    assert make_reviewer(county, departments[0], "review_jiwei").review_departments.count() == 1


def test_pending_departments_are_those_with_unanswered_names(review_round, departments, reviewers):
    for item in review_round.items.all():
        answer(reviewers, item, departments[0])
    answer(reviewers, review_round.items.first(), departments[1])
    pending = sel.round_matrix(review_round=review_round)["pending_departments"]
    assert departments[0] not in pending
    assert departments[1] in pending and len(pending) == 11


def test_the_command_loads_the_default_departments(db):
    from django.core.management import call_command

    call_command("joint-review-departments")
    assert Department.objects.filter(active=True).count() == 12


def test_clearing_a_page_costs_the_same_for_fifty_names(
    county, county_user, departments, reviewers, django_assert_max_num_queries
):
    review_round = open_round(county, county_user, n=50)
    items = list(review_round.items.select_related("round__organization"))
    with django_assert_max_num_queries(12):
        services.decisions_clear_pending(
            actor=reviewers["纪委监委"], department=departments[0], items=items
        )
