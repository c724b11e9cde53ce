from django.urls import reverse

from zuzhi.recruitment.models import Candidate, Stage
from zuzhi.testing.factories import valid_id_number


def test_apply_and_advance_pages(county, client_as, town_a_user, town_b_user):
    client = client_as(town_a_user)
    data = {
        "organization": county.village_a1.pk,
        "name": "赵小青",
        "id_number": valid_id_number("20000101", 222),
        "ethnicity": "01",
        "category": "farmer",
        "applied_on": "2022-03-01",
    }
    response = client.post(reverse("recruitment:apply"), data)
    candidate = Candidate.objects.get()
    assert response["Location"] == reverse("recruitment:detail", args=[candidate.pk])
    url = reverse("recruitment:detail", args=[candidate.pk])
    client.post(url, {"on": "2022-03-01"})
    body = client.post(url, {"on": "2023-02-28"}).content.decode()
    assert "一年以上" in body and "2023-03-01" in body
    candidate.refresh_from_db()
    assert candidate.stage == Stage.ACTIVIST
    other = client_as(town_b_user)
    assert other.get(url).status_code == 404
    assert other.post(url, {"on": "2023-03-01"}).status_code == 404
    assert "赵小青" not in other.get(reverse("recruitment:list")).content.decode()


def test_apply_outside_scope_shows_error(county, client_as, town_a_user):
    data = {
        "organization": county.village_b1.pk,
        "name": "钱",
        "id_number": valid_id_number("20000101", 5),
        "ethnicity": "01",
        "category": "farmer",
        "applied_on": "2022-03-01",
    }
    body = client_as(town_a_user).post(reverse("recruitment:apply"), data).content.decode()
    assert "请从列表中选择党组织" in body and "张湾村" not in body
    assert not Candidate.objects.exists()
