import re

from django.urls import reverse

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.reserve_appraisals import services
from zuzhi.reserve_appraisals.models import Outcome, ReserveAppraisal, ReserveBallot
from zuzhi.reserves.models import ReserveStatus

from .conftest import marks_for


def _post_marks(appraisal, code, grade="competent"):
    data = {"code": code}
    for s in appraisal.subjects.all():
        for d in ("de", "neng", "qin", "ji", "lian"):
            data[f"m_{s.pk}_{d}"] = grade
    return data


def test_open_shows_the_codes_once(county, client_as, town_a_user, pool):
    client = client_as(town_a_user)
    page = client.get(reverse("reserve_appraisals:open"))
    assert page.status_code == 200
    response = client.post(
        reverse("reserve_appraisals:open"),
        {
            "township": county.town_a.pk,
            "year": 2026,
            "half": 1,
            "opened_on": "2026-06-20",
            "codes": 3,
        },
    )
    assert response.status_code == 200
    appraisal = ReserveAppraisal.objects.get()
    codes = re.findall(r"选票码：<strong>(\w+)</strong>", response.content.decode())
    assert len(codes) == 3
    assert services.ballot_code_valid(appraisal=appraisal, code=codes[0])
    detail = client.get(reverse("reserve_appraisals:detail", args=[appraisal.pk]))
    assert codes[0] not in detail.content.decode() and "陈晓" in detail.content.decode()


def test_the_phone_ballot_needs_a_code_then_votes_once(client, opened):
    appraisal, codes = opened
    url = reverse("reserve_appraisals:ballot", args=[appraisal.ballot_token])
    page = client.get(url)
    assert page.status_code == 200 and "陈晓" not in page.content.decode()
    assert client.post(url, {"code": "WRONG123"}).status_code == 400
    ballot = client.post(url, {"code": codes[0]})
    assert "陈晓" in ballot.content.decode() and 'name="m_' in ballot.content.decode()
    cast = reverse("reserve_appraisals:cast", args=[appraisal.ballot_token])
    half = _post_marks(appraisal, codes[0])
    half.pop(next(k for k in half if k.endswith("_lian")))
    refused = client.post(cast, half)
    assert refused.status_code == 400 and "请补评" in refused.content.decode()
    assert client.post(cast, _post_marks(appraisal, codes[0])).status_code == 200
    assert ReserveBallot.objects.count() == 1
    again = client.post(cast, _post_marks(appraisal, codes[0]))
    assert again.status_code == 400 and ReserveBallot.objects.count() == 1


def test_close_rank_and_decide_on_the_page(client_as, town_a_user, opened, pool):
    appraisal, codes = opened
    services.ballot_cast(
        appraisal_id=appraisal.pk,
        code=codes[0],
        marks=marks_for(appraisal, {pool["a2"].pk: ["basically"]}),
    )
    client = client_as(town_a_user)
    client.post(reverse("reserve_appraisals:close", args=[appraisal.pk]))
    page = client.get(reverse("reserve_appraisals:detail", args=[appraisal.pk])).content.decode()
    assert "低于下限" in page and page.index("陈晓") < page.index("李明")
    subject = appraisal.subjects.get(candidate=pool["a2"])
    url = reverse("reserve_appraisals:decide", args=[subject.pk])
    refused = client.post(url, {"outcome": Outcome.EXIT, "reason": ""})
    assert refused.status_code == 200 and "退出须写明原因" in refused.content.decode()
    assert client.post(url, {"outcome": Outcome.EXIT, "reason": "测评较差"}).status_code == 302
    pool["a2"].refresh_from_db()
    assert pool["a2"].status == ReserveStatus.EXITED


def test_inspection_page_saves_the_note(client_as, town_a_user, opened):
    appraisal, _ = opened
    subject = appraisal.subjects.first()
    url = reverse("reserve_appraisals:inspection", args=[subject.pk])
    client = client_as(town_a_user)
    assert client.get(url).status_code == 200
    assert client.post(url, {"inspection": "工作积极"}).status_code == 302
    subject.refresh_from_db()
    assert subject.inspection == "工作积极"


def test_town_b_staff_get_the_logged_404(client_as, town_b_user, opened):
    appraisal, _ = opened
    subject = appraisal.subjects.first()
    client = client_as(town_b_user)
    for url in (
        reverse("reserve_appraisals:detail", args=[appraisal.pk]),
        reverse("reserve_appraisals:decide", args=[subject.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("reserve_appraisals:decide", args=[subject.pk]),
            {"outcome": "exit", "reason": "x"},
        ).status_code
        == 404
    )
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 3
    assert client.get(reverse("reserve_appraisals:list")).context["appraisals"].count() == 0


def test_a_branch_secretary_has_no_appraisal_pages(client_as, branch_a1_user, county):
    client = client_as(branch_a1_user)
    assert client.get(reverse("reserve_appraisals:list")).status_code == 404
    assert client.get(reverse("reserve_appraisals:open")).status_code == 404
