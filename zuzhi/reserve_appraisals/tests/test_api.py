from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.reserve_appraisals import services
from zuzhi.reserve_appraisals.models import ReserveAppraisal
from zuzhi.reserves.models import ReserveStatus

from .conftest import marks_for

BASE = "/api/reserve-appraisals"


def test_open_vote_close_and_decide_through_the_api(county, api_as, town_a_user, pool):
    api = api_as(town_a_user)
    created = api.post(
        BASE,
        {"township_id": county.town_a.pk, "year": 2026, "half": 1, "codes": 2},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["period"] == "2026年上半年" and len(data["codes"]) == 2
    assert data["ballot_path"].startswith("/reserves/appraisals/vote/")
    appraisal = ReserveAppraisal.objects.get()
    services.ballot_cast(
        appraisal_id=appraisal.pk,
        code=data["codes"][0],
        marks=marks_for(appraisal, {pool["a2"].pk: ["incompetent"]}),
    )
    assert [a["id"] for a in api.get(BASE).json()] == [appraisal.pk]
    detail = api.get(f"{BASE}/{appraisal.pk}").json()
    assert {s["name"] for s in detail["subjects"]} == {"陈晓", "李明"}
    assert all(s["counts"] is None for s in detail["subjects"])
    closed = api.post(f"{BASE}/{appraisal.pk}/close").json()
    assert closed["status"] == "closed" and closed["pass_share"] == "2/3"
    first, last = closed["subjects"]
    assert (first["name"], first["rank"], first["score"], first["flagged"]) == (
        "陈晓",
        1,
        "1.0000",
        False,
    )
    assert (last["name"], last["score"], last["flagged"]) == ("李明", "0.0000", True)
    assert last["counts"]["de"]["incompetent"] == 1
    refused = api.post(
        f"{BASE}/subjects/{last['id']}/outcome",
        {"outcome": "exit"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    decided = api.post(
        f"{BASE}/subjects/{last['id']}/outcome",
        {"outcome": "exit", "reason": "群众认可度低"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["outcome"] == "exit"
    pool["a2"].refresh_from_db()
    assert pool["a2"].status == ReserveStatus.EXITED
    noted = api.patch(
        f"{BASE}/subjects/{first['id']}",
        {"inspection": "表现突出"},
        content_type="application/json",
    )
    assert noted.json()["inspection"] == "表现突出"


def test_town_b_gets_404_from_the_api(api_as, town_b_user, opened):
    appraisal, _ = opened
    api = api_as(town_b_user)
    assert api.get(f"{BASE}/{appraisal.pk}").status_code == 404
    subject = appraisal.subjects.first()
    response = api.post(
        f"{BASE}/subjects/{subject.pk}/outcome",
        {"outcome": "keep"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 2
    assert api.get(BASE).json() == []
