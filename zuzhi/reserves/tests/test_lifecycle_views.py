"""The reserve's way on the pages: the township reviews from the list, the county sends to the
joint review, the record shows the history without the departments' reasons."""

import datetime

import pytest
from django.urls import reverse

from zuzhi.core.scope import SYSTEM
from zuzhi.joint_reviews import services as review_services
from zuzhi.joint_reviews.models import ReviewRound
from zuzhi.reserves import lifecycle
from zuzhi.reserves.models import ReserveCandidate, ReserveStatus
from zuzhi.testing.factories import valid_id_number


@pytest.fixture
def departments(db):
    return review_services.departments_load_defaults(actor=SYSTEM)


def status_of(candidate):
    return ReserveCandidate.objects.get(pk=candidate.pk).status


def test_township_clerk_approves_and_returns_ticked_names(
    county, town_a_user, client_as, make_reserve
):
    a = make_reserve(county.village_a1)
    b = make_reserve(county.village_a1, id_number=valid_id_number(sequence=302), name="李明")
    client = client_as(town_a_user)
    page = client.get(reverse("reserves:list")).content.decode()
    assert "乡镇党委初审通过" in page and "报送勾选的人选" not in page
    url = reverse("reserves:township_review")
    client.post(url, {"ids": [a.pk], "action": "approve"})
    answer = client.post(url, {"ids": [b.pk], "action": "return"}, follow=True)
    assert "退回须写明原因" in answer.content.decode()
    client.post(url, {"ids": [b.pk], "action": "return", "reason": "本人意愿待核实"})
    assert (status_of(a), status_of(b)) == (ReserveStatus.TOWNSHIP_APPROVED, ReserveStatus.RETURNED)


def test_ticked_names_of_another_township_are_not_touched(
    county, town_a_user, town_b_user, client_as, make_reserve
):
    theirs = make_reserve(county.village_b1, actor=town_b_user)
    client_as(town_a_user).post(
        reverse("reserves:township_review"), {"ids": [theirs.pk], "action": "approve"}
    )
    assert status_of(theirs) == ReserveStatus.CANDIDATE


def test_county_sends_approved_names_and_lands_on_the_round(
    county, town_a_user, county_user, client_as, make_reserve, departments
):
    a = make_reserve(county.village_a1)
    lifecycle.township_review(actor=town_a_user, candidates=[a], approve=True)
    client = client_as(county_user)
    assert "报送勾选的人选" in client.get(reverse("reserves:list")).content.decode()
    response = client.post(
        reverse("reserves:send_to_review"),
        {"ids": [a.pk], "title": "2026年第二批", "deadline": "2026-12-31"},
    )
    review_round = ReviewRound.objects.get()
    assert response.url == reverse("joint_reviews:round", args=[review_round.pk])
    assert review_round.items.get().source_id == str(a.pk)
    assert status_of(a) == ReserveStatus.IN_REVIEW


def test_township_record_says_rejected_but_never_why(
    county, town_a_user, county_user, client_as, make_reserve, departments
):
    from zuzhi.joint_reviews.tests.conftest import make_reviewer

    a = make_reserve(county.village_a1)
    lifecycle.township_review(actor=town_a_user, candidates=[a], approve=True)
    review_round = lifecycle.candidates_send_to_review(
        actor=county_user, candidates=[a], title="第二批", deadline=datetime.date(2026, 12, 31)
    )
    police = departments[1]
    review_services.decision_record(
        actor=make_reviewer(county, police),
        item=review_round.items.get(),
        department=police,
        verdict="rejected",
        reason="涉嫌参与赌博被治安处罚",
    )
    review_services.round_close(actor=county_user, review_round=review_round)
    page = client_as(town_a_user).get(reverse("reserves:record", args=[a.pk])).content.decode()
    assert "县级联审未通过" in page and "赌博" not in page
    assert status_of(a) == ReserveStatus.EXITED


def test_record_steps_priority_and_exit_with_reason(county, town_a_user, client_as, make_reserve):
    a = make_reserve(county.village_a1)
    ReserveCandidate.objects.filter(pk=a.pk).update(status=ReserveStatus.IN_POOL)
    client = client_as(town_a_user)
    url = reverse("reserves:step", args=[a.pk])
    client.post(url, {"step": "priority"})
    assert ReserveCandidate.objects.get(pk=a.pk).priority
    page = client.post(url, {"step": "exit"}, follow=True).content.decode()
    assert "退出须写明原因" in page and status_of(a) == ReserveStatus.IN_POOL
    client.post(url, {"step": "exit", "reason": "外出经商，本人申请退出"})
    page = client.get(reverse("reserves:record", args=[a.pk])).content.decode()
    assert status_of(a) == ReserveStatus.EXITED
    assert "列为重点培养" in page and "外出经商，本人申请退出" in page


def test_another_township_cannot_step_a_record(
    county, town_a_user, town_b_user, client_as, make_reserve
):
    a = make_reserve(county.village_a1)
    ReserveCandidate.objects.filter(pk=a.pk).update(status=ReserveStatus.IN_POOL)
    response = client_as(town_b_user).post(
        reverse("reserves:step", args=[a.pk]), {"step": "exit", "reason": "x"}
    )
    assert response.status_code == 404 and status_of(a) == ReserveStatus.IN_POOL


def test_home_to_do_names_the_first_review_and_the_names_to_send(
    county, town_a_user, town_b_user, county_user, client_as, make_reserve
):
    a = make_reserve(county.village_a1)
    home = reverse("home")
    assert "待乡镇党委初审的后备力量人选" in client_as(town_a_user).get(home).content.decode()
    assert "待乡镇党委初审" not in client_as(town_b_user).get(home).content.decode()
    lifecycle.township_review(actor=town_a_user, candidates=[a], approve=True)
    assert "待报送县级联审的后备力量人选" in client_as(county_user).get(home).content.decode()
    assert "待报送县级联审" not in client_as(town_a_user).get(home).content.decode()


def test_county_sends_every_approved_name_at_once_and_no_other(
    county, town_a_user, town_b_user, county_user, client_as, make_reserve, departments
):
    a = make_reserve(county.village_a1)
    b = make_reserve(county.village_b1, actor=town_b_user, id_number=valid_id_number(sequence=303))
    waiting = make_reserve(county.village_a2, id_number=valid_id_number(sequence=304))
    lifecycle.township_review(actor=town_a_user, candidates=[a], approve=True)
    lifecycle.township_review(actor=town_b_user, candidates=[b], approve=True)
    client = client_as(county_user)
    assert (
        "报送全部待县级联审的人选（2 人）" in client.get(reverse("reserves:list")).content.decode()
    )
    client.post(reverse("reserves:send_to_review"), {"scope": "all", "deadline": "2026-12-31"})
    assert {i.source_id for i in ReviewRound.objects.get().items.all()} == {str(a.pk), str(b.pk)}
    assert status_of(waiting) == ReserveStatus.CANDIDATE


def test_the_form_goes_back_only_to_a_page_of_this_site(
    county, town_a_user, client_as, make_reserve
):
    a = make_reserve(county.village_a1)
    client = client_as(town_a_user)
    url = reverse("reserves:township_review")
    off_site = client.post(
        url, {"ids": [a.pk], "action": "approve", "next": "https://evil.example/x"}
    )
    assert off_site.url == reverse("reserves:list")
    back = client.post(url, {"ids": [a.pk], "action": "approve", "next": "/reserves/?page=2"})
    assert back.url == "/reserves/?page=2"
    assert client.post(url, {"ids": [a.pk], "next": "abc"}).status_code == 302


def test_a_long_exit_reason_is_kept_whole(county, town_a_user, client_as, make_reserve):
    a = make_reserve(county.village_a1)
    ReserveCandidate.objects.filter(pk=a.pk).update(status=ReserveStatus.IN_POOL)
    reason = "本人" + "因家庭原因长期在外地照顾老人" * 8
    client_as(town_a_user).post(
        reverse("reserves:step", args=[a.pk]), {"step": "exit", "reason": reason}
    )
    assert ReserveCandidate.objects.get(pk=a.pk).status_reason == reason
