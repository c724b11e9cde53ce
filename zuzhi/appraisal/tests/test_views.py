import re

import pytest
from django.urls import reverse

from zuzhi.appraisal.models import AppraisalRound, Ballot, Grade, RoundStatus
from zuzhi.appraisal.services import appraisal_open
from zuzhi.testing.factories import make_member, valid_id_number


def test_full_round_through_the_pages(county, client, client_as, town_a_user, town_b_user):
    for i in range(3):
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
    staff = client_as(town_a_user)
    page = staff.post(reverse("appraisal:open"), {"org": county.village_a1.pk}).content.decode()
    codes = re.findall(r"选票码：<strong>([A-Z0-9]{8})</strong>", page)
    round_ = AppraisalRound.objects.get()
    assert len(codes) == 3 and not any(code in str(list(round_.codes.values())) for code in codes)
    assert (
        client_as(town_b_user).get(reverse("appraisal:detail", args=[round_.pk])).status_code == 404
    )
    staff.logout()
    subjects = list(round_.subjects.values_list("pk", flat=True))
    vote = {"code": codes[0], **{f"grade_{pk}": Grade.QUALIFIED for pk in subjects}}
    ballot_url = reverse("appraisal:cast", args=[round_.ballot_token])
    assert "投票成功" in client.post(ballot_url, vote).content.decode()
    assert "已经使用" in client.post(ballot_url, vote).content.decode()
    assert Ballot.objects.count() == 1
    staff = client_as(town_a_user)
    staff.post(reverse("appraisal:action", args=[round_.pk, "close"]))
    staff.post(
        reverse("appraisal:action", args=[round_.pk, "decide"]),
        {f"grade_{pk}": Grade.QUALIFIED for pk in subjects},
    )
    staff.post(reverse("appraisal:action", args=[round_.pk, "publish"]))
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLISHED
    staff.post(
        reverse("appraisal:action", args=[round_.pk, "decide"]),
        {f"grade_{pk}": Grade.BASIC for pk in subjects},
    )
    assert set(round_.subjects.values_list("grade", flat=True)) == {Grade.QUALIFIED}
    other = client_as(town_b_user)
    assert other.post(reverse("appraisal:action", args=[round_.pk, "close"])).status_code == 404


@pytest.fixture
def open_round(county, town_a_user):
    for i in range(3):
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
    return appraisal_open(actor=town_a_user, organization=county.village_a1, year=2026)


def test_the_ballot_page_is_not_found_by_its_sequential_id(client, open_round):
    round_, _ = open_round
    assert client.get(f"/appraisal/vote/{round_.pk}/").status_code == 404
    assert client.post(f"/appraisal/vote/{round_.pk}/cast/", {}).status_code == 404
    assert len(round_.ballot_token) >= 20 and not round_.ballot_token.isdigit()
    page = client.get(reverse("appraisal:ballot", args=[round_.ballot_token]))
    assert page.status_code == 200 and "选票码" in page.content.decode()


def test_the_ballot_names_members_only_after_a_valid_code(client, open_round):
    round_, codes = open_round
    url = reverse("appraisal:ballot", args=[round_.ballot_token])
    cast_url = reverse("appraisal:cast", args=[round_.ballot_token])
    subjects = list(round_.subjects.values_list("pk", flat=True))
    marks = {f"grade_{pk}": Grade.QUALIFIED for pk in subjects}
    for response in (
        client.get(url),
        client.post(url, {"code": "NOTACODE"}),
        client.post(cast_url, {"code": "NOTACODE", **marks}),
        client.post(cast_url, {"code": "NOTACODE"}),
    ):
        assert "党员0" not in response.content.decode()
    assert "无效" in client.post(url, {"code": "NOTACODE"}).content.decode()
    opened = client.post(url, {"code": codes[0].lower()}).content.decode()
    assert all(f"党员{i}" in opened for i in range(3))
    # Opening the ballot does not use the code up; casting does, and only once.
    incomplete = client.post(cast_url, {"code": codes[0]}).content.decode()
    assert "errorlist" in incomplete and "党员0" in incomplete
    assert "投票成功" in client.post(cast_url, {"code": codes[0], **marks}).content.decode()
    again = client.post(url, {"code": codes[0]}).content.decode()
    assert "已经使用" in again and "党员0" not in again
    assert Ballot.objects.count() == 1
