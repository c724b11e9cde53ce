import re

from django.urls import reverse

from zuzhi.appraisal.models import AppraisalRound, Ballot, Grade, RoundStatus
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
    ballot_url = reverse("appraisal:ballot", args=[round_.pk])
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
