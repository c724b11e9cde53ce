from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zuzhi.contests import services
from zuzhi.contests.models import StageKind
from zuzhi.core.models import AuditLog

from .conftest import stage_of


def test_api_create_refuses_weights_not_summing_to_100(county, county_user, api_as):
    client = api_as(county_user)
    body = {
        "organization_id": county.county.pk,
        "name": "乡镇夺杯",
        "track": "township",
        "period_label": "2026年",
        "stages": [
            {"kind": "public_report", "name": "公开汇报", "weight": "50"},
            {
                "kind": "judges",
                "name": "评审",
                "weight": "40",
                "criteria": [{"name": "成效", "max_score": "100"}],
            },
        ],
    }
    response = client.post("/api/contests", body, content_type="application/json")
    assert response.status_code == 400
    assert "合计应为 100%，现为 90%" in str(response.json()["errors"])
    body["stages"][1]["weight"] = "50"
    response = client.post("/api/contests", body, content_type="application/json")
    assert response.status_code == 201
    assert [s["weight"] for s in response.json()["stages"]] == ["50.00", "50.00"]


def test_api_township_sees_only_its_entrants(running, county, town_a_user, api_as):
    client = api_as(town_a_user)
    response = client.get(f"/api/contests/{running.pk}/entrants")
    assert response.status_code == 200
    names = {e["organization_id"] for e in response.json()["items"]}
    assert names == {county.village_a1.pk, county.village_a2.pk}
    other = running.entrants.get(organization=county.village_b1)
    leaf = stage_of(running, StageKind.INDICATORS).indicators.first()
    response = client.put(
        f"/api/contests/{running.pk}/indicator-values",
        {"entrant_id": other.pk, "indicator_id": leaf.pk, "value": "1"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert client.post(f"/api/contests/{running.pk}/results/compute").status_code == 404


def test_indicator_values_are_read_inside_the_readers_scope(
    running, county, county_user, town_a_user
):
    from zuzhi.contests import selectors

    leaf = stage_of(running, StageKind.INDICATORS).indicators.first()
    for entrant in running.entrants.all():
        services.indicator_value_set(actor=county_user, entrant=entrant, indicator=leaf, value="5")
    own = {county.village_a1.pk, county.village_a2.pk}
    seen = selectors.indicator_values(user=town_a_user, contest=running)
    assert {v.entrant.organization_id for v in seen} == own
    everyone = selectors.indicator_values(user=county_user, contest=running)
    assert {v.entrant.organization_id for v in everyone} > own


def test_api_judge_sees_only_own_contest(running, county, county_user, judges, api_as):
    other = services.contest_copy(
        actor=county_user,
        source=running,
        organization=county.county,
        name="另一场",
        period_label="2026",
    )
    client = api_as(judges[0])
    listed = client.get("/api/contests").json()["items"]
    assert [c["id"] for c in listed] == [running.pk]
    assert client.get(f"/api/contests/{other.pk}").status_code == 404
    assert AuditLog.objects.filter(action="permission_denied", target_id=str(other.pk)).exists()


def test_api_judge_submits_once(running, county_user, judges, api_as):
    stage = stage_of(running, StageKind.JUDGES)
    entrant = running.entrants.first()
    services.appearance_open(actor=county_user, stage=stage, entrant=entrant)
    first, second = stage.criteria.all()
    client = api_as(judges[0])
    url = f"/api/contests/{running.pk}/stages/{stage.pk}/sheets"
    body = {"entrant_id": entrant.pk, "marks": {str(first.pk): "50", str(second.pk): "35.5"}}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201 and response.json()["total"] == "85.5"
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 400 and "已提交过" in again.json()["message"]
    board = client.get(f"/api/contests/{running.pk}/stages/{stage.pk}/board").json()
    assert board["entrants"][0]["scores"] is None and board["entrants"][0]["submitted"] == [1]


def test_api_judge_asking_to_correct_another_judges_sheet_is_refused_and_logged(
    running, county_user, judges, api_as
):
    """Someone else's sheet is out of the judge's reach: the logged 404, as every lookup
    past the user's reach answers, and no correction request is made."""
    stage = stage_of(running, StageKind.JUDGES)
    entrant = running.entrants.first()
    services.appearance_open(actor=county_user, stage=stage, entrant=entrant)
    first, second = stage.criteria.all()
    marks = {str(first.pk): "50", str(second.pk): "35"}
    sheet = services.sheet_submit(judge=judges[0], stage=stage, entrant=entrant, marks=marks)
    response = api_as(judges[1]).post(
        f"/api/contests/{running.pk}/sheets/{sheet.pk}/corrections",
        {"marks": marks, "reason": "改分"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json() == {"message": "未找到该对象。", "errors": {}}
    assert AuditLog.objects.filter(
        action="permission_denied", actor=judges[1], target_id=str(sheet.pk)
    ).exists()
    assert not sheet.corrections.exists()


@pytest.mark.parametrize(
    "name", ["contests:detail", "contests:values", "contests:adjustments", "contests:results"]
)
def test_pages_open_for_county_and_township(running, county_user, town_a_user, client_as, name):
    from django.urls import reverse

    for user in (county_user, town_a_user):
        response = client_as(user).get(reverse(name, args=[running.pk]))
        assert response.status_code == 200, (user, name)


def test_pages_are_scoped(running, county, town_b_user, county_user, client_as):
    from django.urls import reverse

    client = client_as(town_b_user)
    page = client.get(reverse("contests:detail", args=[running.pk])).content.decode()
    assert "张湾村党支部" in page and "李庄村党支部" not in page
    assert (
        client.get(
            reverse("contests:board", args=[running.pk, stage_of(running, "judges").pk])
        ).status_code
        == 404
    )
    own = services.contest_create(
        actor=county_user,
        organization=county.town_a,
        data={"name": "城关镇内部评比", "track": "village", "period_label": "2026"},
        stages=[{"kind": "public_report", "name": "汇报", "weight": D(100)}],
    )
    assert client.get(reverse("contests:detail", args=[own.pk])).status_code == 404


def test_result_page_and_export(running, county, county_user, judges, client_as):
    from django.urls import reverse

    from .test_services import fill_indicators, judge_all

    fill_indicators(running, county, county_user)
    judge_all(
        running, county_user, judges, {e.organization_id: [80] * 5 for e in running.entrants.all()}
    )
    client = client_as(county_user)
    response = client.post(reverse("contests:action", args=[running.pk, "compute"]))
    assert response.status_code == 302
    page = client.get(reverse("contests:results", args=[running.pk])).content.decode()
    assert "chart-data" in page and "发布结果" in page
    version = running.versions.get()
    export = client.get(reverse("contests:results_export", args=[running.pk, version.pk, "xlsx"]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = client.get(reverse("contests:results_export", args=[running.pk, version.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert (
        AuditLog.objects.filter(action="export", target_type="contests.resultversion").count() == 2
    )


def test_judge_phone_page_scores(running, county_user, judges, client_as):
    from django.urls import reverse

    stage = stage_of(running, StageKind.JUDGES)
    entrant = running.entrants.first()
    client = client_as(judges[1])
    url = reverse("contests:score", args=[stage.pk])
    assert "请等待" in client.get(url).content.decode()
    services.appearance_open(actor=county_user, stage=stage, entrant=entrant)
    first, second = stage.criteria.all()
    check = reverse("contests:score_check", args=[stage.pk])
    bad = client.post(check, {"entrant": entrant.pk, f"c_{first.pk}": "99", f"c_{second.pk}": "1"})
    assert "0 到 60" in bad.content.decode()
    ok = client.post(
        reverse("contests:score_submit", args=[stage.pk]),
        {"entrant": entrant.pk, f"c_{first.pk}": "55", f"c_{second.pk}": "30"},
    )
    assert ok.status_code == 302
    assert "您已提交：合计 85" in client.get(url).content.decode()


def test_public_vote_page(running, client):
    from django.urls import reverse

    page = client.get(reverse("contests:public", args=[running.pk]))
    assert page.status_code == 200 and "获取验证码" in page.content.decode()
    assert "zuzhi_device" in page.cookies


def test_rules_page_changes_weights_and_refuses_a_bad_sum(
    contest, county_user, town_a_user, client_as
):
    from django.urls import reverse

    url = reverse("contests:edit", args=[contest.pk])
    assert client_as(town_a_user).get(url).status_code == 404  # not the organizer
    client = client_as(county_user)
    page = client.get(url)
    assert page.status_code == 200 and "名额线上的并列" in page.content.decode()
    form = {
        "name": contest.name,
        "edge_ties": "none_in",
        "period_label": "2026年",
        "tiers": "优秀:90，一般:0",
        "top_n": "3",
        "red_list_size": "1",
        "black_list_size": "1",
        "supervision_days": "30",
        "bonus_limit": "5",
        "penalty_limit": "5",
        "stage_count": "3",
        "s0_kind": "indicators",
        "s0_name": "综合指标",
        "s0_weight": "50",
        "s0_i0_name": "村集体经济收入",
        "s0_i0_weight": "60",
        "s0_i0_method": "minmax",
        "s0_i0_direction": "higher",
        "s0_i1_name": "信访件数",
        "s0_i1_weight": "40",
        "s0_i1_method": "minmax",
        "s0_i1_direction": "lower",
        "s1_kind": "judges",
        "s1_name": "擂台比武",
        "s1_weight": "30",
        "s1_aggregation": "trimmed",
        "s1_trim_on": "criterion",
        "s1_c0_name": "发展思路",
        "s1_c0_max": "100",
        "s2_kind": "public_vote",
        "s2_name": "群众投票",
        "s2_weight": "20",
        "s2_vote_method": "share",
        "s2_votes_per_day": "2",
    }
    response = client.post(url, form)
    assert response.status_code == 302, [str(m) for m in response.wsgi_request._messages]
    stages = list(contest.stages.all())
    assert [(s.name, s.weight) for s in stages] == [
        ("综合指标", D(50)),
        ("擂台比武", D(30)),
        ("群众投票", D(20)),
    ]
    assert stages[1].trim_on == "criterion" and stages[2].votes_per_day == 2
    contest.refresh_from_db()
    assert contest.tiers == [{"name": "优秀", "min": "90"}, {"name": "一般", "min": "0"}]
    assert contest.edge_ties == "none_in"
    bad = client.post(url, {**form, "s2_weight": "19"}, follow=True)
    assert "合计应为 100%，现为 99%" in bad.content.decode()
    assert contest.stages.get(name="群众投票").weight == D(20)


def test_add_member_entrant_by_name_within_scope(county, county_user, town_b_user, client_as):
    from django.urls import reverse

    from zuzhi.testing.factories import make_member, valid_id_number

    contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "最美党员", "track": "member", "period_label": "2026"},
        stages=[{"kind": "public_report", "name": "评审", "weight": D(100)}],
    )
    make_member(county.village_a1, name="王小明", id_number=valid_id_number("19800101", 11))
    url = reverse("contests:entrant_add", args=[contest.pk])
    # Township B's user cannot see the member (nor manage the county contest).
    client_as(town_b_user).post(url, {"member": "王小明"})
    assert not contest.entrants.exists()
    client_as(county_user).post(url, {"member": "wxm", "story": "扎根基层"})
    entrant = contest.entrants.get()
    assert entrant.name == "王小明" and entrant.organization == county.village_a1


def test_supervision_case_closed_by_the_organizer_not_the_village(
    running, county, county_user, town_b_user, judges, client_as, api_as
):
    from django.urls import reverse

    from .test_services import fill_indicators, judge_all

    fill_indicators(running, county, county_user)
    judge_all(
        running, county_user, judges, {e.organization_id: [80] * 5 for e in running.entrants.all()}
    )
    services.result_publish(
        actor=county_user, version=services.result_compute(actor=county_user, contest=running)
    )
    case = running.cases.get()  # the black-listed village: 张湾村 of township B
    assert case.entrant.organization == county.village_b1
    url = reverse("contests:results", args=[running.pk])
    # Township B sees its case on the results page but does not sign it off itself.
    page = client_as(town_b_user).get(url).content.decode()
    assert "督办事项" in page and "张湾村党支部" in page
    assert (
        api_as(town_b_user)
        .post(
            f"/api/contests/{running.pk}/cases/{case.pk}/close",
            {"resolution": "整改完毕"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    api = api_as(county_user)
    empty = api.post(
        f"/api/contests/{running.pk}/cases/{case.pk}/close",
        {"resolution": ""},
        content_type="application/json",
    )
    assert empty.status_code == 400
    done = api.post(
        f"/api/contests/{running.pk}/cases/{case.pk}/close",
        {"resolution": "已召开专题组织生活会，整改完毕"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "closed"


def test_story_edit_through_api_is_scoped(running, county, town_a_user, api_as):
    a1 = running.entrants.get(organization=county.village_a1)
    b1 = running.entrants.get(organization=county.village_b1)
    api = api_as(town_a_user)
    ok = api.patch(
        f"/api/contests/{running.pk}/entrants/{a1.pk}",
        {"story": "发展香菇产业"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["story"] == "发展香菇产业"
    other = api.patch(
        f"/api/contests/{running.pk}/entrants/{b1.pk}",
        {"story": "x"},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_judge_home_lists_only_their_stages(running, judges, client_as):
    from django.urls import reverse

    page = client_as(judges[0]).get(reverse("home")).content.decode()
    stage = running.stages.get(kind="judges")
    assert reverse("contests:score", args=[stage.pk]) in page and "我的评分" in page


def test_evidence_and_photos_are_served_by_scope_not_by_media_url(
    running, county, county_user, town_a_user, town_b_user, client_as, client, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path
    a1 = running.entrants.get(organization=county.village_a1)
    item = services.adjustment_request(
        actor=town_a_user,
        entrant=a1,
        kind="bonus",
        amount=1,
        reason="表彰",
        evidence=SimpleUploadedFile("证明.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
    )
    url = reverse("contests:evidence", args=[running.pk, item.pk])
    assert client_as(town_a_user).get(url).status_code == 200
    assert client_as(town_b_user).get(url).status_code == 404
    member_contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "投票", "track": "village", "period_label": "2026"},
        stages=[{"kind": "public_vote", "name": "投票", "weight": D(100)}],
    )
    entrant = services.entrant_add(
        actor=county_user,
        contest=member_contest,
        organization=county.village_a1,
        photo=SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\nfake", content_type="image/png"),
    )
    photo = reverse("contests:photo", args=[member_contest.pk, entrant.pk])
    assert client.get(photo).status_code == 404  # a draft is not public yet
    services.contest_start(actor=county_user, contest=member_contest)
    response = client.get(photo)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    data = client.get(f"/api/public/contests/{member_contest.pk}").json()
    assert data["entrants"][0]["photo"] == photo


def test_township_copies_a_template_for_its_own_township(county, town_a_user, client_as):
    from django.urls import reverse

    from zuzhi.contests.models import Contest

    template = Contest.objects.filter(is_template=True, name="乡镇夺杯").get()
    client = client_as(town_a_user)
    url = reverse("contests:copy", args=[template.pk])
    assert "城关镇党委" in client.get(url).content.decode()
    # Another township's node cannot be the organizer.
    assert (
        client.post(
            url, {"organization": county.town_b.pk, "name": "夺杯", "period_label": "2026年"}
        ).status_code
        == 404
    )
    response = client.post(
        url, {"organization": county.town_a.pk, "name": "城关镇村级评比", "period_label": "2026年"}
    )
    copy = Contest.objects.get(name="城关镇村级评比")
    assert response.status_code == 302 and copy.organization == county.town_a
    assert [s.name for s in copy.stages.all()] == [s.name for s in template.stages.all()]


@pytest.mark.parametrize("suffix", ["adjustments/{n}/evidence/", "board/{n}/"])
def test_page_ids_beyond_64_bits_are_not_found(running, county_user, client_as, suffix):
    # Django answers such a single-value lookup with no rows on both databases.
    response = client_as(county_user).get(f"/contests/{running.pk}/" + suffix.format(n=10**20))
    assert response.status_code == 404


def test_public_photo_id_beyond_64_bits_is_not_found(running, client):
    assert client.get(f"/contests/public/{running.pk}/photos/{10**20}/").status_code == 404


PAST_64_BITS = 2**64  # no database key reaches it (the largest is 2**63 - 1)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/{big}", {}),
        ("get", "/{big}/results", {}),
        ("post", "/{contest}/results/{big}/publish", {}),
        ("post", "/{contest}/sheets/{big}/corrections", {"marks": {}, "reason": "笔误"}),
        ("post", "/{contest}/corrections/{big}/decision", {"approve": True}),
        ("get", "/{contest}/stages/{big}/board", {}),
        ("get", "/{contest}/adjustments/{big}/evidence", {}),
        ("post", "/{contest}/cases/{big}/close", {"resolution": "已整改"}),
        ("get", "/{big}/votes/suspicious", {}),
    ],
)
def test_api_path_ids_past_64_bits_answer_the_chinese_not_found(
    running, county_user, api_as, method, path, data
):
    client = api_as(county_user)
    client.raise_request_exception = False
    url = "/api/contests" + path.format(contest=running.pk, big=PAST_64_BITS)
    response = getattr(client, method)(url, data, content_type="application/json")
    assert response.status_code == 404, (url, response.status_code)
    assert response.json() == {"message": "未找到该对象。", "errors": {}}


@pytest.mark.parametrize(
    ("method", "path", "data", "field"),
    [
        ("post", "/votes/void", {"vote_ids": [1, PAST_64_BITS], "reason": "刷票"}, "vote_ids"),
        ("post", "/entrants", {"organization_id": PAST_64_BITS}, "organization_id"),
        (
            "put",
            "/indicator-values",
            {"entrant_id": PAST_64_BITS, "indicator_id": 1, "value": "1"},
            "entrant_id",
        ),
        (
            "get",
            "/indicator-values/evidence",
            {"entrant_id": 1, "indicator_id": PAST_64_BITS},
            "indicator_id",
        ),
    ],
)
def test_api_body_and_query_ids_past_64_bits_answer_the_chinese_input_error(
    running, county_user, api_as, method, path, data, field
):
    client = api_as(county_user)
    client.raise_request_exception = False
    url = f"/api/contests/{running.pk}{path}"
    if method == "get":
        response = client.get(url, data)
    else:
        response = getattr(client, method)(url, data, content_type="application/json")
    assert response.status_code == 422, (url, response.status_code)
    assert response.json() == {
        "message": "提交的数据格式不正确。",
        "errors": {field: ["数值太大。"]},
    }


def test_evidence_upload_for_ids_past_64_bits_is_an_input_error(running, county_user, api_as):
    client = api_as(county_user)
    client.raise_request_exception = False
    response = client.post(
        f"/api/contests/{running.pk}/indicator-values/evidence",
        {
            "entrant_id": PAST_64_BITS,
            "indicator_id": 1,
            "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"entrant_id": ["数值太大。"]}


def test_public_vote_for_an_entrant_past_64_bits_is_refused(running, client):
    response = client.post(
        f"/api/public/contests/{running.pk}/votes",
        {"entrant_id": PAST_64_BITS},
        content_type="application/json",
    )
    assert response.status_code == 422
