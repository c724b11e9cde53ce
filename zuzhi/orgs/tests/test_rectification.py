import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from zuzhi.orgs.models import RectificationCase
from zuzhi.orgs.selectors import rectification_list
from zuzhi.orgs.services import rectification_close, rectification_open, rectification_step_add


def open_case(actor, org):
    return rectification_open(
        actor=actor, organization=org, year=2026, problems="班子不团结，组织生活不正常"
    )


def test_case_is_listed_until_closed(county, town_a_user, town_b_user):
    case = open_case(town_a_user, county.village_a1)
    with pytest.raises(ValidationError):
        open_case(town_a_user, county.village_a1)
    assert list(rectification_list(user=town_a_user, status="open")) == [case]
    assert list(rectification_list(user=town_b_user)) == []
    with pytest.raises(ValidationError) as exc:
        rectification_close(actor=town_a_user, case=case, note="已整顿")
    assert "进展" in str(exc.value)
    rectification_step_add(
        actor=town_a_user, case=case, day=datetime.date(2026, 11, 1), action="调整支部书记"
    )
    rectification_close(actor=town_a_user, case=case, note="达到销号标准")
    assert list(rectification_list(user=town_a_user, status="open")) == []
    assert case.status == RectificationCase.Status.CLOSED
    with pytest.raises(ValidationError):
        rectification_step_add(
            actor=town_a_user, case=case, day=datetime.date(2026, 11, 2), action="补记"
        )
    # A closed case allows a new one later.
    assert open_case(town_a_user, county.village_a1).status == RectificationCase.Status.OPEN


def test_other_township_cannot_open_or_see(county, client_as, town_a_user, town_b_user):
    with pytest.raises(Http404):
        open_case(town_b_user, county.village_a1)
    case = open_case(town_a_user, county.village_a1)
    client = client_as(town_b_user)
    assert client.get(reverse("orgs:rectification", args=[case.pk])).status_code == 404
    response = client.post(
        reverse("orgs:rectification", args=[case.pk]), {"close-note": "越权销号"}
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == RectificationCase.Status.OPEN


def test_pages_open_step_and_close(county, client_as, town_a_user):
    client = client_as(town_a_user)
    response = client.post(
        reverse("orgs:rectify", args=[county.village_a2.pk]), {"year": 2026, "problems": "软弱涣散"}
    )
    case = RectificationCase.objects.get()
    assert response["Location"] == reverse("orgs:rectification", args=[case.pk])
    url = reverse("orgs:rectification", args=[case.pk])
    body = client.post(url, {"close-note": "提前销号"}).content.decode()
    assert "还没有整顿进展记录" in body
    client.post(url, {"step-day": "2026-11-10", "step-action": "召开专题组织生活会"})
    client.post(url, {"close-note": "整顿到位"})
    case.refresh_from_db()
    assert case.status == RectificationCase.Status.CLOSED and case.steps.count() == 1
