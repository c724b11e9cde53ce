"""The county configures the departments and their reviewers; a reviewer finds their names on
the home page."""

from django.urls import reverse

from zuzhi.core.roles import Role
from zuzhi.joint_reviews.models import Department, ReviewerDepartment
from zuzhi.testing.factories import user_with_role

from .conftest import make_reviewer, open_round


def test_county_adds_deactivates_and_assigns(county, county_user, client_as, departments):
    account = user_with_role(Role.JOINT_REVIEWER, county.county, username="review_tax")
    client = client_as(county_user)
    url = reverse("joint_reviews:departments")
    client.post(url, {"action": "add", "name": "应急管理"})
    added = Department.objects.get(name="应急管理")
    assert added.active and added.order == 13
    page = client.post(url, {"action": "add", "name": "公安"}, follow=True).content.decode()
    assert "已有名为“公安”的联审部门" in page
    tax = Department.objects.get(name="税务")
    client.post(url, {"action": "toggle", "department": tax.pk})
    assert not Department.objects.get(pk=tax.pk).active
    assert tax not in open_round(county, county_user).departments.all()
    client.post(url, {"action": "assign", "user": account.pk, "department": added.pk})
    link = ReviewerDepartment.objects.get(user=account)
    assert link.department == added
    assert "review_tax" in client.get(url).content.decode()
    client.post(url, {"action": "remove", "link": link.pk})
    assert not ReviewerDepartment.objects.exists()


def test_an_account_without_the_reviewer_role_cannot_be_assigned(
    county, county_user, town_a_user, client_as, departments
):
    page = client_as(county_user).post(
        reverse("joint_reviews:departments"),
        {"action": "assign", "user": town_a_user.pk, "department": departments[0].pk},
        follow=True,
    )
    assert "请选择持有联审部门审核人角色的账号" in page.content.decode()
    assert not ReviewerDepartment.objects.exists()


def test_township_staff_and_reviewers_cannot_configure(county, town_a_user, client_as, departments):
    reviewer = make_reviewer(county, departments[0])
    url = reverse("joint_reviews:departments")
    for user in (town_a_user, reviewer):
        assert client_as(user).get(url).status_code == 404
        client_as(user).post(url, {"action": "add", "name": "应急管理"})
    assert not Department.objects.filter(name="应急管理").exists()


def test_reviewer_home_lists_names_to_answer_with_the_deadline(
    county, county_user, client_as, departments
):
    reviewer = make_reviewer(county, departments[1], username="review_police")
    open_round(county, county_user, n=3)
    page = client_as(reviewer).get(reverse("home")).content.decode()
    assert "待反馈的联审名单（公安）" in page and "2026-12-31 前反馈" in page


def test_another_countys_reviewers_are_neither_listed_nor_removable(
    county, county_user, client_as, departments
):
    from zuzhi.testing.factories import OrganizationFactory

    other = OrganizationFactory(code="C2", name="邻县县委", unit_category="county")
    theirs = make_reviewer(type("C", (), {"county": other}), departments[0], username="r_other")
    link = ReviewerDepartment.objects.get(user=theirs)
    client = client_as(county_user)
    url = reverse("joint_reviews:departments")
    assert "r_other" not in client.get(url).content.decode()
    client.post(url, {"action": "remove", "link": link.pk})
    assert ReviewerDepartment.objects.filter(pk=link.pk).exists()


def test_the_api_does_not_take_an_items_source(county, county_user, api_as, departments):
    from zuzhi.joint_reviews.models import ReviewItem
    from zuzhi.testing.factories import valid_id_number

    response = api_as(county_user).post(
        "/api/reserve-reviews/rounds",
        {
            "kind": "reserve",
            "title": "接口批次",
            "deadline": "2026-12-31",
            "items": [
                {
                    "name": "甲",
                    "id_number": valid_id_number(sequence=77),
                    "village_id": county.village_a1.pk,
                    "source_type": "reserves.candidate",
                    "source_id": "1",
                }
            ],
        },
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.json()
    assert ReviewItem.objects.get().source_type == ""
