import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.members.selectors import case_list, mobile_list
from zuzhi.members.services import (
    member_case_close,
    member_case_open,
    mobile_register,
    mobile_return,
)
from zuzhi.testing.factories import make_member

D = datetime.date


def test_mobile_member_is_seen_by_origin_and_destination(
    county, town_a_user, town_b_user, county_user
):
    member = make_member(county.village_a1)
    record = mobile_register(
        actor=town_a_user,
        member=member,
        destination="浙江省宁波市某电子厂",
        left_on=D(2026, 3, 1),
        destination_org=county.village_b1,
    )
    assert list(mobile_list(user=town_a_user)) == [record]
    assert list(mobile_list(user=town_b_user)) == [record]
    with pytest.raises(ValidationError):
        mobile_register(
            actor=town_a_user, member=member, destination="再次外出", left_on=D(2026, 4, 1)
        )
    mobile_return(actor=town_b_user, record=record, returned_on=D(2026, 10, 1))
    assert list(mobile_list(user=town_a_user)) == [] and list(
        mobile_list(user=county_user, current_only=False)
    ) == [record]


def test_mobile_member_without_destination_is_not_seen_by_others(county, town_a_user, town_b_user):
    member = make_member(county.village_a1)
    record = mobile_register(
        actor=town_a_user, member=member, destination="广东省东莞市", left_on=D(2026, 3, 1)
    )
    assert list(mobile_list(user=town_b_user)) == []
    with pytest.raises(Http404):
        mobile_return(actor=town_b_user, record=record, returned_on=D(2026, 10, 1))
    with pytest.raises(Http404):
        mobile_register(actor=town_b_user, member=member, destination="x", left_on=D(2026, 3, 1))


def test_lost_contact_case_is_listed_until_closed(county, town_a_user, town_b_user):
    member = make_member(county.village_a1)
    case = member_case_open(
        actor=town_a_user,
        member=member,
        kind="lost_contact",
        opened_on=D(2026, 6, 1),
        situation="电话停机，家人不知去向",
        handler="李书记",
    )
    with pytest.raises(ValidationError):
        member_case_open(
            actor=town_a_user,
            member=member,
            kind="lost_contact",
            opened_on=D(2026, 6, 2),
            situation="重复",
            handler="李书记",
        )
    assert list(case_list(user=town_a_user)) == [case] and list(case_list(user=town_b_user)) == []
    with pytest.raises(ValidationError) as exc:
        member_case_close(actor=town_a_user, case=case, resolution="", closed_on=D(2026, 7, 1))
    assert "处理结果" in str(exc.value)
    member_case_close(
        actor=town_a_user,
        case=case,
        resolution="已恢复联系，纳入流动党员管理",
        closed_on=D(2026, 7, 1),
    )
    assert list(case_list(user=town_a_user)) == []
    with pytest.raises(Http404):
        member_case_open(
            actor=town_b_user,
            member=member,
            kind="inactive",
            opened_on=D(2026, 6, 1),
            situation="x",
            handler="y",
        )


def test_case_and_mobile_pages_are_scoped(county, client_as, town_a_user, town_b_user):
    from django.urls import reverse

    member = make_member(county.village_a1, name="王失联")
    case = member_case_open(
        actor=town_a_user,
        member=member,
        kind="inactive",
        opened_on=D(2026, 6, 1),
        situation="一年未参加",
        handler="李书记",
    )
    mobile_register(
        actor=town_a_user, member=member, destination="广东省东莞市", left_on=D(2026, 3, 1)
    )
    other = client_as(town_b_user)
    assert other.get(reverse("members:case", args=[case.pk])).status_code == 404
    assert (
        other.post(
            reverse("members:case", args=[case.pk]),
            {"resolution": "越权", "closed_on": "2026-07-01"},
        ).status_code
        == 404
    )
    assert "王失联" not in other.get(reverse("members:cases")).content.decode()
    assert "王失联" not in other.get(reverse("members:mobile")).content.decode()
    own = client_as(town_a_user)
    assert "王失联" in own.get(reverse("members:cases")).content.decode()
    own.post(
        reverse("members:case", args=[case.pk]),
        {"resolution": "已谈心谈话，恢复参加组织生活", "closed_on": "2026-07-01"},
    )
    case.refresh_from_db()
    assert not case.is_open


def test_county_overview_counts_without_any_report(county, client_as, town_a_user, town_b_user):
    from zuzhi.members.selectors import member_overview

    a = make_member(county.village_a1, name="甲")
    mobile_register(actor=town_a_user, member=a, destination="外省", left_on=D(2026, 3, 1))
    member_case_open(
        actor=town_a_user,
        member=a,
        kind="lost_contact",
        opened_on=D(2026, 6, 1),
        situation="失联",
        handler="李",
    )
    overview = member_overview(user=town_a_user)
    assert (
        overview["total"],
        overview["mobile"],
        overview["lost_contact"],
        overview["inactive"],
    ) == (1, 1, 1, 0)
    assert member_overview(user=town_b_user)["total"] == 0
    body = client_as(town_a_user).get("/").content.decode()
    assert "流动党员 1" in body and "失联 1" in body
