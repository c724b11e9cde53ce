import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.dues.models import DuesPayment
from zuzhi.dues.selectors import dues_arrears, dues_ledger
from zuzhi.dues.services import (
    dues_basis_set,
    dues_exemption_decide,
    dues_exemption_request,
    dues_payment_record,
)
from zuzhi.testing.factories import make_member

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def member(county):
    return make_member(county.village_a1)


def pay(actor, member, month, fen):
    return dues_payment_record(
        actor=actor, member=member, month=month, amount_fen=fen, paid_on=datetime.date(2026, 11, 1)
    )


def test_basis_from_brackets_and_payment_must_match(county, member, town_a_user):
    basis = dues_basis_set(
        actor=town_a_user, member=member, year=2026, kind="wage", income_fen=300_001
    )
    assert basis.monthly_fen == 3000
    with pytest.raises(ValidationError) as exc:
        pay(town_a_user, member, datetime.date(2026, 10, 1), 1500)
    assert "应交 30.00 元" in exc.value.message_dict["amount_fen"][0]
    pay(town_a_user, member, datetime.date(2026, 10, 15), 3000)
    with pytest.raises(ValidationError):
        pay(town_a_user, member, datetime.date(2026, 10, 1), 3000)
    ledger = dues_ledger(user=town_a_user, member_pk=member.pk, year=2026)
    october = ledger["months"][9]
    assert october["due_fen"] == 3000 and october["payment"].amount_fen == 3000


def test_other_township_cannot_touch_dues(county, member, town_b_user):
    with pytest.raises(Http404):
        dues_basis_set(actor=town_b_user, member=member, year=2026, kind="student")
    with pytest.raises(Http404):
        dues_ledger(user=town_b_user, member_pk=member.pk, year=2026)


def test_six_unpaid_months_are_flagged(county, member, town_a_user, town_b_user):
    dues_basis_set(actor=town_a_user, member=member, year=2026, kind="farmer", farmer_fen=50)
    assert list(dues_arrears(user=town_a_user, today=TODAY)) == [member]
    assert list(dues_arrears(user=town_b_user, today=TODAY)) == []
    pay(town_a_user, member, datetime.date(2026, 5, 1), 50)  # May: six months before November
    assert list(dues_arrears(user=town_a_user, today=TODAY)) == []
    DuesPayment.objects.all().delete()
    pay(town_a_user, member, datetime.date(2026, 4, 1), 50)  # April is outside the window
    assert list(dues_arrears(user=town_a_user, today=TODAY)) == [member]


def test_exemption_needs_approval_one_level_up(county, member, town_a_user, branch_a1_user):
    dues_basis_set(actor=town_a_user, member=member, year=2026, kind="farmer", farmer_fen=50)
    exemption = dues_exemption_request(
        actor=branch_a1_user,
        member=member,
        first_month=datetime.date(2026, 1, 1),
        last_month=datetime.date(2026, 12, 1),
        monthly_fen=0,
        reason="重病住院，生活困难",
    )
    with pytest.raises(ValidationError) as exc:
        dues_exemption_decide(actor=branch_a1_user, exemption=exemption, approve=True)
    assert "上一级" in exc.value.message_dict["status"][0]
    assert list(dues_arrears(user=town_a_user, today=TODAY)) == [member]
    dues_exemption_decide(actor=town_a_user, exemption=exemption, approve=True)
    assert list(dues_arrears(user=town_a_user, today=TODAY)) == []
    ledger = dues_ledger(user=town_a_user, member_pk=member.pk, year=2026)
    assert {m["due_fen"] for m in ledger["months"]} == {0}


def test_dues_dates_and_years_outside_1900_to_2100_are_refused(county, member, town_a_user):
    with pytest.raises(ValidationError) as exc:
        dues_basis_set(actor=town_a_user, member=member, year=3000, kind="wage", income_fen=300_001)
    assert exc.value.message_dict == {"year": ["年度应在 1900 年至 2100 年之间。"]}
    dues_basis_set(actor=town_a_user, member=member, year=2026, kind="wage", income_fen=300_001)
    with pytest.raises(ValidationError) as exc:
        dues_payment_record(
            actor=town_a_user,
            member=member,
            month=datetime.date(2026, 10, 1),
            amount_fen=3000,
            paid_on=datetime.date(1, 1, 1),
        )
    assert exc.value.message_dict == {"paid_on": ["日期应在 1900 年至 2100 年之间。"]}
    with pytest.raises(ValidationError) as exc:
        dues_exemption_request(
            actor=town_a_user,
            member=member,
            first_month=datetime.date(2026, 1, 1),
            last_month=datetime.date(9999, 12, 1),
            monthly_fen=0,
            reason="生活困难",
        )
    assert exc.value.message_dict == {"last_month": ["日期应在 1900 年至 2100 年之间。"]}
