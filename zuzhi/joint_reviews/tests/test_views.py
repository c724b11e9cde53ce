import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from zuzhi.core.roles import Role
from zuzhi.joint_reviews.models import ReviewDecision, ReviewRound
from zuzhi.joint_reviews.selectors import REVIEW_PAGE_SIZE
from zuzhi.joint_reviews.services import decision_record
from zuzhi.testing.factories import valid_id_number

REVIEW = reverse("joint_reviews:review")


@pytest.fixture
def jiwei(reviewers):
    return reviewers["纪委监委"]


def test_a_reviewer_sees_name_id_number_and_village_only(
    client_as, review_round, departments, jiwei
):
    item = review_round.items.first()
    item.source_type, item.source_id = "reserves.candidate", "SOURCE-7"
    item.save()
    page = client_as(jiwei).get(REVIEW).content.decode()
    assert item.name in page and item.id_number in page and "李庄村党支部" in page
    # Nothing else about the name or the round: not its source, not its title or kind.
    assert "SOURCE-7" not in page and review_round.title not in page


def test_township_staff_never_read_rejection_reasons(
    client_as, api_as, town_a_user, review_round, departments, jiwei
):
    item = review_round.items.first()  # in village A1, town A's own
    decision_record(
        actor=jiwei, item=item, department=departments[0], verdict="rejected", reason="绝密理由"
    )
    client = client_as(town_a_user)
    for url in (
        reverse("joint_reviews:round", args=[review_round.pk]),
        reverse("joint_reviews:export", args=[review_round.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "绝密理由" not in response.content.decode()
    api = api_as(town_a_user)
    assert api.get(f"/api/reserve-reviews/rounds/{review_round.pk}").status_code == 404
    assert api.get("/api/reserve-reviews/rounds").json()["items"] == []
    assert "绝密理由" not in client.get(reverse("joint_reviews:list")).content.decode()


def test_county_staff_read_reasons_and_who_has_not_answered(
    client_as, api_as, county_user, review_round, departments, jiwei
):
    decision_record(
        actor=jiwei,
        item=review_round.items.first(),
        department=departments[0],
        verdict="rejected",
        reason="有违纪记录",
    )
    page = client_as(county_user).get(reverse("joint_reviews:round", args=[review_round.pk]))
    text = page.content.decode()
    assert "有违纪记录" in text and "尚未反馈完毕的部门" in text and "公安" in text
    detail = api_as(county_user).get(f"/api/reserve-reviews/rounds/{review_round.pk}").json()
    assert detail["items"][0]["outcome"] == "rejected"
    assert detail["items"][0]["answers"][0]["reason"] == "有违纪记录"


def test_another_reviewer_does_not_see_the_reason(
    client_as, review_round, departments, reviewers, jiwei
):
    item = review_round.items.first()
    decision_record(
        actor=jiwei, item=item, department=departments[0], verdict="rejected", reason="纪委理由"
    )
    police = client_as(reviewers["公安"])
    assert "纪委理由" not in police.get(REVIEW).content.decode()
    # Asking for the discipline department's list as the police reviewer is refused.
    assert police.get(f"{REVIEW}?department={departments[0].pk}").status_code == 404


def test_clear_page_clears_only_the_pending_names_of_that_page(
    client_as, county, county_user, departments, jiwei
):
    from zuzhi.joint_reviews import services

    review_round = services.round_open(
        actor=county_user,
        kind="village_committee",
        organization=county.county,
        title="两委任前联审",
        deadline=datetime.date(2026, 12, 31),
        items=[
            services.ItemInput(f"人{i}", valid_id_number(sequence=i + 1), county.village_a1)
            for i in range(REVIEW_PAGE_SIZE + 3)
        ],
    )
    items = list(review_round.items.order_by("id"))
    decision_record(
        actor=jiwei, item=items[0], department=departments[0], verdict="rejected", reason="理由"
    )
    client = client_as(jiwei)
    page = client.get(REVIEW).content.decode()
    assert "本页全部通过（50 人）" in page
    first_page = items[1 : REVIEW_PAGE_SIZE + 1]
    response = client.post(
        reverse("joint_reviews:clear_page"),
        {"department": departments[0].pk, "item": [i.pk for i in [items[0], *first_page]]},
    )
    assert response.status_code == 302
    mine = ReviewDecision.objects.filter(department=departments[0])
    assert mine.filter(verdict="cleared").count() == REVIEW_PAGE_SIZE
    assert mine.get(item=items[0]).verdict == "rejected"
    assert not mine.filter(item__in=items[REVIEW_PAGE_SIZE + 1 :]).exists()
    assert not ReviewDecision.objects.exclude(department=departments[0]).exists()


def test_reject_without_a_reason_records_nothing(client_as, review_round, departments, jiwei):
    item = review_round.items.first()
    response = client_as(jiwei).post(
        reverse("joint_reviews:reject", args=[item.pk]),
        {"department": departments[0].pk, "reason": ""},
        follow=True,
    )
    assert "不通过须填写理由" in response.content.decode()
    assert not ReviewDecision.objects.exists()


def test_county_staff_open_a_round_from_pasted_lines(client_as, county, county_user, departments):
    response = client_as(county_user).post(
        reverse("joint_reviews:open"),
        {
            "kind": "reserve",
            "title": "第一批",
            "deadline": "2026-12-31",
            "items": f"张三 {valid_id_number(sequence=1)} 李庄村\n李四\t{valid_id_number(sequence=2)}\tVB1\n",
        },
    )
    assert response.status_code == 302
    review_round = ReviewRound.objects.get()
    assert [(i.name, i.village) for i in review_round.items.order_by("id")] == [
        ("张三", county.village_a1),
        ("李四", county.village_b1),
    ]


def test_the_grant_role_command_grants_the_joint_reviewer_role(county):
    from zuzhi.testing.factories import UserFactory

    user = UserFactory(username="review_police")
    call_command("grant-role", "review_police", "joint_reviewer", county.county.code)
    assert user.role_assignments.get().role == Role.JOINT_REVIEWER
    assert Role.JOINT_REVIEWER.label == "联审部门审核人"


def test_the_api_records_a_reviewers_answer_for_their_department_only(
    api_as, review_round, departments, jiwei
):
    item = review_round.items.first()
    url = f"/api/reserve-reviews/items/{item.pk}/decisions"
    api = api_as(jiwei)

    def post(department):
        body = {"department_id": department.pk, "verdict": "cleared"}
        return api.post(url, body, content_type="application/json")

    assert post(departments[1]).status_code == 404
    ok = post(departments[0])
    assert ok.status_code == 200, ok.content
    assert ReviewDecision.objects.get().department == departments[0]


def test_the_menu_offers_rounds_to_the_county_and_the_list_to_reviewers(
    client_as, county_user, town_a_user, jiwei
):
    rounds, names = f'href="{reverse("joint_reviews:list")}"', f'href="{REVIEW}"'
    county_home = client_as(county_user).get("/").content.decode()
    assert rounds in county_home and names not in county_home
    reviewer_home = client_as(jiwei).get("/").content.decode()
    assert names in reviewer_home and rounds not in reviewer_home
    town_home = client_as(town_a_user).get("/").content.decode()
    assert rounds not in town_home and names not in town_home
