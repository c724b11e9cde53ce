from django.urls import reverse

from zuzhi.dues.models import DuesBasis, DuesPayment
from zuzhi.testing.factories import make_member


def test_ledger_pages_set_basis_and_record_payment(county, client_as, town_a_user, town_b_user):
    member = make_member(county.village_a1)
    url = reverse("dues:ledger", args=[member.pk]) + "?year=2026"
    client = client_as(town_a_user)
    client.post(url, {"action": "basis", "b-kind": "wage", "b-income": "3000.01"})
    assert DuesBasis.objects.get().monthly_fen == 3000
    body = client.post(
        url,
        {"action": "payment", "p-month": "2026-10", "p-amount": "15", "p-paid_on": "2026-10-20"},
    ).content.decode()
    assert "应交 30.00 元" in body and not DuesPayment.objects.exists()
    client.post(
        url,
        {"action": "payment", "p-month": "2026-10", "p-amount": "30.00", "p-paid_on": "2026-10-20"},
    )
    assert DuesPayment.objects.get().amount_fen == 3000
    other = client_as(town_b_user)
    assert other.get(url).status_code == 404
    assert other.post(url, {"action": "basis", "b-kind": "student"}).status_code == 404
    assert member.name not in other.get(reverse("dues:arrears")).content.decode()


def test_points_pages_are_scoped(county, client_as, town_a_user, town_b_user):
    member = make_member(county.village_a1, name="王积分")
    assert (
        "王积分"
        in client_as(town_a_user).get(reverse("points:list"), {"year": 2026}).content.decode()
    )
    other = client_as(town_b_user)
    assert "王积分" not in other.get(reverse("points:list"), {"year": 2026}).content.decode()
    assert other.get(reverse("points:entry", args=[member.pk])).status_code == 404
