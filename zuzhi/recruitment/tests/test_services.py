import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.members.models import Member, MemberStatus
from zuzhi.recruitment.models import Stage
from zuzhi.recruitment.selectors import candidate_list
from zuzhi.recruitment.services import (
    candidate_advance,
    candidate_apply,
    candidate_extend_probation,
)
from zuzhi.testing.factories import valid_id_number

D = datetime.date
APPLIED = D(2022, 3, 1)


def apply(actor, org, applied_on=APPLIED, birth="20000101"):
    return candidate_apply(
        actor=actor,
        organization=org,
        applied_on=applied_on,
        data={
            "name": "赵小青",
            "id_number": valid_id_number(birth, 222),
            "ethnicity": "01",
            "education": "21",
        },
    )


def refused(call, text):
    with pytest.raises(ValidationError) as exc:
        call()
    assert text in str(exc.value)


def test_applicant_must_be_18(county, town_a_user):
    refused(
        lambda: apply(town_a_user, county.village_a1, applied_on=D(2017, 12, 31), birth="20000101"),
        "十八岁",
    )
    assert (
        apply(town_a_user, county.village_a1, applied_on=D(2018, 1, 1), birth="20000101").stage
        == Stage.APPLICANT
    )


def test_each_waiting_period_refused_a_day_early_and_accepted_on_the_day(county, town_a_user):
    c = apply(town_a_user, county.village_a1)
    refused(
        lambda: candidate_advance(actor=town_a_user, candidate=c, on=D(2022, 2, 28)),
        "不能早于递交入党申请书",
    )
    c = candidate_advance(actor=town_a_user, candidate=c, on=D(2022, 3, 1))
    assert c.stage == Stage.ACTIVIST
    refused(
        lambda: candidate_advance(actor=town_a_user, candidate=c, on=D(2023, 2, 28)), "一年以上"
    )
    c = candidate_advance(actor=town_a_user, candidate=c, on=D(2023, 3, 1))
    assert c.stage == Stage.TARGET
    refused(
        lambda: candidate_advance(actor=town_a_user, candidate=c, on=D(2023, 2, 28)),
        "不能早于确定为发展对象",
    )
    c = candidate_advance(actor=town_a_user, candidate=c, on=D(2023, 7, 1))
    assert c.stage == Stage.PROBATIONARY
    member = Member.objects.get(id_number=c.id_number)
    assert member.status == MemberStatus.PROBATIONARY and member.join_date == D(2023, 7, 1)
    assert member.organization == county.village_a1 and member.education == "21"
    refused(
        lambda: candidate_advance(actor=town_a_user, candidate=c, on=D(2024, 6, 30)), "预备期为一年"
    )
    c = candidate_advance(actor=town_a_user, candidate=c, on=D(2024, 7, 1))
    member.refresh_from_db()
    assert (
        c.stage == Stage.FULL
        and member.status == MemberStatus.FULL
        and member.full_date == D(2024, 7, 1)
    )
    assert Member.objects.count() == 1


def test_probation_extends_once_by_at_most_a_year(county, town_a_user):
    c = apply(town_a_user, county.village_a1)
    for day in (D(2022, 3, 1), D(2023, 3, 1), D(2023, 7, 1)):
        c = candidate_advance(actor=town_a_user, candidate=c, on=day)
    refused(
        lambda: candidate_extend_probation(
            actor=town_a_user, candidate=c, months=13, reason="考察"
        ),
        "不能超过一年",
    )
    c = candidate_extend_probation(actor=town_a_user, candidate=c, months=6, reason="需要继续考察")
    refused(
        lambda: candidate_extend_probation(actor=town_a_user, candidate=c, months=3, reason="再延"),
        "只能延长一次",
    )
    refused(lambda: candidate_advance(actor=town_a_user, candidate=c, on=D(2024, 12, 31)), "预备期")
    assert candidate_advance(actor=town_a_user, candidate=c, on=D(2025, 1, 1)).stage == Stage.FULL


def test_scope(county, town_a_user, town_b_user):
    with pytest.raises(Http404):
        apply(town_b_user, county.village_a1)
    c = apply(town_a_user, county.village_a1)
    with pytest.raises(Http404):
        candidate_advance(actor=town_b_user, candidate=c, on=D(2022, 3, 1))
    assert list(candidate_list(user=town_b_user)) == [] and list(
        candidate_list(user=town_a_user)
    ) == [c]


def test_a_member_cannot_apply_again(county, town_a_user):
    c = apply(town_a_user, county.village_a1)
    for day in (D(2022, 3, 1), D(2023, 3, 1), D(2023, 7, 1)):
        c = candidate_advance(actor=town_a_user, candidate=c, on=day)
    refused(lambda: apply(town_a_user, county.village_a2), "已是党员")


def test_an_application_dated_0001_01_01_is_refused_as_a_date_slip(county, town_a_user):
    refused(
        lambda: apply(town_a_user, county.village_a1, applied_on=D(1, 1, 1)), "1900 年至 2100 年"
    )
