import re

import pytest
from django.utils import timezone

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.team_appraisal import services
from zuzhi.team_appraisal.models import AppraisalBallot, TeamAppraisal

from .conftest import full_marks

OPEN_FORM = {
    "year": 2026,
    "opened_on": "2026-11-20",
    "group_name_0": "班子成员",
    "group_weight_0": "30",
    "group_codes_0": "3",
    "group_name_1": "中层干部",
    "group_weight_1": "40",
    "group_codes_1": "4",
    "group_name_2": "服务对象",
    "group_weight_2": "30",
    "group_codes_2": "2",
}


def test_the_cadre_section_opens_prints_closes_and_exports(world, client_as, client):
    staff = client_as(world.staff)
    assert "开展民主测评" in staff.get("/team-appraisals/").content.decode()
    form = staff.get("/team-appraisals/new/").content.decode()
    assert "班子成员" in form
    assert f'value="{timezone.localdate().isoformat()}"' in form  # the date box shows today
    page = staff.post("/team-appraisals/new/", {**OPEN_FORM, "team": world.team.pk})
    html = page.content.decode()
    assert page.status_code == 200 and "选票码只显示这一次" in html
    assert html.count("code-slip") == 9
    appraisal = TeamAppraisal.objects.get()
    code = re.search(r"选票码：<strong>(\w+)</strong>", html).group(1)
    detail = staff.get(f"/team-appraisals/{appraisal.pk}/").content.decode()
    assert "结束测评" in detail and code not in detail  # shown once only
    services.ballot_cast(
        appraisal_id=appraisal.pk,
        code=code,
        marks=full_marks(appraisal, {world.deputy.pk: "basically"}),
    )
    assert staff.post(f"/team-appraisals/{appraisal.pk}/close/").status_code == 302
    results = staff.get(f"/team-appraisals/{appraisal.pk}/").content.decode()
    assert "甲副书记" in results and "0.00%" in results and "诫勉或调整" in results
    export = staff.get(f"/team-appraisals/{appraisal.pk}/export/")
    assert export["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert AuditLog.objects.filter(
        action=AuditAction.EXPORT, target_type="team_appraisal.teamappraisal"
    ).exists()


def test_weights_not_summing_to_100_are_shown_on_the_form(world, client_as):
    form = {**OPEN_FORM, "team": world.team.pk, "group_weight_2": "20"}
    page = client_as(world.staff).post("/team-appraisals/new/", form)
    assert "各测评主体的权重合计应为 100%，现为 90%" in page.content.decode()
    assert not TeamAppraisal.objects.exists()


def test_the_ballot_needs_no_login_and_keeps_a_half_filled_ballot(world, opened, client):
    appraisal, codes = opened()
    url = f"/team-appraisals/vote/{appraisal.ballot_token}/"
    first = client.get(url).content.decode()
    assert "选票码" in first and "甲副书记" not in first  # cadres only with a code in hand
    wrong = client.post(url, {"code": "WRONG123"})
    assert wrong.status_code == 400 and "选票码无效或已经使用" in wrong.content.decode()
    code = codes["中层干部"][0]
    ballot = client.post(url, {"code": code}).content.decode()
    assert "测评主体：中层干部" in ballot and "甲副书记" in ballot
    subjects = list(appraisal.subjects.order_by("order"))
    half = {"code": code}
    for s in subjects:
        for key in ["de", "neng", "qin", "ji", "lian", "overall"]:
            half[f"m_{s.pk}_{key}"] = "competent"
    del half[f"m_{subjects[2].pk}_qin"]
    refused = client.post(url + "cast/", half)
    text = refused.content.decode()
    assert refused.status_code == 400 and "请补评：甲组织委员的勤" in text
    assert f'name="m_{subjects[0].pk}_de" value="competent" checked' in text
    half[f"m_{subjects[2].pk}_qin"] = "excellent"
    done = client.post(url + "cast/", half)
    assert "投票成功" in done.content.decode()
    assert AppraisalBallot.objects.get().marks[str(subjects[2].pk)]["qin"] == "excellent"
    again = client.post(url + "cast/", half)
    assert "选票码无效或已经使用" in again.content.decode()


def test_a_closed_round_shows_no_ballot(world, opened, client):
    appraisal, codes = opened()
    services.ballot_cast(
        appraisal_id=appraisal.pk, code=codes["班子成员"][0], marks=full_marks(appraisal)
    )
    services.appraisal_close(actor=world.staff, appraisal=appraisal)
    url = f"/team-appraisals/vote/{appraisal.ballot_token}/"
    assert "已经结束" in client.get(url).content.decode()
    response = client.post(url, {"code": codes["班子成员"][1]})
    assert "已经结束" in response.content.decode() and "甲副书记" not in response.content.decode()


@pytest.mark.parametrize("who", ["county_user", "town_a_user", "leader"])
def test_others_get_the_logged_404(world, opened, client_as, request, who):
    appraisal, codes = opened()
    user = world.leader if who == "leader" else request.getfixturevalue(who)
    client = client_as(user)
    for url in ["/team-appraisals/", "/team-appraisals/new/"]:
        assert client.get(url).status_code == 404
    for url in [f"/team-appraisals/{appraisal.pk}/", f"/team-appraisals/{appraisal.pk}/export/"]:
        before = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
        assert client.get(url).status_code == 404
        assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() > before
    services.ballot_cast(
        appraisal_id=appraisal.pk, code=codes["班子成员"][0], marks=full_marks(appraisal)
    )
    assert client.post(f"/team-appraisals/{appraisal.pk}/close/").status_code == 404
    assert TeamAppraisal.objects.get().status == "open"
    assert "民主测评" not in client.get("/").content.decode()


def test_the_menu_link_is_the_cadre_section_s(world, client_as):
    assert "/team-appraisals/" in client_as(world.staff).get("/").content.decode()
