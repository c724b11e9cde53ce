"""Self-nomination (自荐) and correction requests (更正申请): every transition and refusal,
who sees a nomination (the cadre, their unit's leader, the cadre section; nobody else), the
decline reason the cadre reads, the pages and the API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from zuzhi.cadres import nomination_selectors as sel
from zuzhi.cadres import nomination_services as services
from zuzhi.cadres.models import (
    CorrectionStatus,
    LeadershipTeam,
    NominationStatus,
    PostHolding,
    SelfNomination,
    TeamKind,
    TeamPost,
)
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.core.selectors import audit_list
from zuzhi.home import todo_items
from zuzhi.testing.factories import UserFactory, make_cadre, user_with_role, valid_id_number


def _cadre(org, name, sequence, user=None):
    return make_cadre(
        org, name=name, id_number=valid_id_number(birth="19850101", sequence=sequence), user=user
    )


def _chief(cadre, org, *, end=None, level="township_chief"):
    team, _ = LeadershipTeam.objects.get_or_create(
        organization=org, kind=TeamKind.TOWNSHIP_COMMITTEE, defaults={"name": f"{org.name}班子"}
    )
    post = TeamPost.objects.create(team=team, title="书记", leadership_level=level)
    return PostHolding.objects.create(
        cadre=cadre,
        organization=org,
        team_post=post,
        title="党委书记",
        leadership_level=level,
        start=datetime.date(2024, 1, 1),
        end=end,
    )


class People:
    def __init__(self, county):
        self.county = county
        self.me = UserFactory(username="cadre1")
        self.cadre = _cadre(county.town_a, "王副镇长", 501, self.me)
        self.leader = UserFactory(username="secretary_a")
        self.leader_cadre = _cadre(county.town_a, "李书记", 502, self.leader)
        _chief(self.leader_cadre, county.town_a)
        self.colleague = UserFactory(username="colleague_a")
        self.colleague_cadre = _cadre(county.town_a, "赵委员", 503, self.colleague)
        self.section = user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer")

    def submit(self, target="城关镇党委副书记", user=None, cadre=None, **kw):
        return services.self_nomination_submit(
            actor=user or self.me,
            cadre=cadre or self.cadre,
            target_kind=kw.pop("target_kind", "post"),
            target=target,
            statement=kw.pop("statement", "分管农业五年，熟悉乡村振兴工作。"),
            **kw,
        )

    def reviewed(self, **kw):
        n = self.submit(**kw)
        return services.self_nomination_unit_opinion(
            actor=self.leader, nomination=n, opinion="同意推荐。"
        )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(county):
    return People(county)


def _denials():
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def _rule(exc) -> str:
    return " ".join(exc.value.messages)


# --- who the unit's leader is ----------------------------------------------------------------


def test_the_unit_leader_is_the_account_holding_a_current_chief_post_on_the_units_team(people):
    town_a = people.county.town_a
    assert list(sel.unit_leader_users(organization=town_a)) == [people.leader]
    # A deputy post, an ended post, or a team of another unit make nobody a leader here.
    _chief(people.colleague_cadre, town_a, level="township_deputy")
    former = _cadre(town_a, "前书记", 504, UserFactory())
    _chief(former, town_a, end=datetime.date(2025, 1, 1))
    other = _cadre(people.county.town_b, "乙书记", 505, UserFactory())
    _chief(other, people.county.town_b)
    assert list(sel.unit_leader_users(organization=town_a)) == [people.leader]


# --- submit ---------------------------------------------------------------------------------


def test_a_cadre_submits_their_own_nomination_audited_outside_the_data_scope(people):
    n = people.submit(evidence="获评优秀")
    assert n.status == NominationStatus.SUBMITTED and n.cadre == people.cadre
    row = AuditLog.objects.get(target_type="cadres.selfnomination", target_id=str(n.pk))
    assert row.after["status"] == "submitted" and row.org_path == ""


def test_submitting_for_another_cadre_is_the_logged_404(people):
    before = _denials()
    with pytest.raises(Http404):
        people.submit(user=people.colleague)
    assert _denials() == before + 1 and not SelfNomination.objects.exists()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"statement": "  "}, "statement"),
        ({"target": ""}, "target"),
        ({"target_kind": "house"}, "target_kind"),
        ({"evidence_file": SimpleUploadedFile("a.exe", b"MZ")}, "evidence_file"),
    ],
)
def test_submit_refuses_incomplete_input(people, kw, field):
    with pytest.raises(ValidationError) as exc:
        people.submit(**kw)
    assert field in exc.value.message_dict


def test_a_too_large_evidence_file_is_refused(people, settings):
    settings.ZUZHI_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        people.submit(evidence_file=SimpleUploadedFile("证明.pdf", b"%PDF-1.4 too long"))
    assert "太大" in _rule(exc)


def test_a_second_open_nomination_for_the_same_target_is_refused_until_withdrawn(people):
    first = people.submit()
    with pytest.raises(ValidationError) as exc:
        people.submit()
    assert "未办结" in _rule(exc)
    services.self_nomination_withdraw(actor=people.me, nomination=first)
    assert people.submit().status == NominationStatus.SUBMITTED


def test_an_inactive_cadre_cannot_submit(people):
    people.cadre.is_active = False
    people.cadre.save()
    with pytest.raises(ValidationError, match="不在职"):
        people.submit()


# --- withdraw -------------------------------------------------------------------------------


def test_the_cadre_withdraws_before_the_decision_and_not_after(people):
    n = people.reviewed()
    n = services.self_nomination_withdraw(actor=people.me, nomination=n)
    assert n.status == NominationStatus.WITHDRAWN and n.withdrawn_at
    row = AuditLog.objects.get(target_type="cadres.selfnomination", message="撤回干部自荐")
    assert row.before == {"status": "unit_reviewed"} and row.after == {"status": "withdrawn"}
    decided = people.reviewed(target="二级主任科员", target_kind="rank")
    services.self_nomination_decide(actor=people.section, nomination=decided, accept=True)
    with pytest.raises(ValidationError, match="已纳入考察视野，不能撤回"):
        services.self_nomination_withdraw(actor=people.me, nomination=decided)


def test_only_the_cadre_withdraws(people):
    n = people.submit()
    with pytest.raises(ValidationError, match="只有自荐人本人"):
        services.self_nomination_withdraw(actor=people.leader, nomination=n)
    before = _denials()
    with pytest.raises(Http404):
        services.self_nomination_withdraw(actor=people.colleague, nomination=n)
    assert _denials() == before + 1
    n.refresh_from_db()
    assert n.status == NominationStatus.SUBMITTED


# --- the unit's opinion ---------------------------------------------------------------------


def test_the_unit_leader_gives_the_opinion_once(people):
    n = people.reviewed()
    assert n.status == NominationStatus.UNIT_REVIEWED and n.unit_opinion == "同意推荐。"
    assert n.unit_opinion_by == people.leader
    with pytest.raises(ValidationError, match="不能再提出单位意见"):
        services.self_nomination_unit_opinion(actor=people.leader, nomination=n, opinion="再议")


def test_the_opinion_is_refused_when_empty_or_from_anyone_but_the_leader(people):
    n = people.submit()
    with pytest.raises(ValidationError, match="请填写单位意见"):
        services.self_nomination_unit_opinion(actor=people.leader, nomination=n, opinion=" ")
    with pytest.raises(ValidationError, match="主要负责人"):
        services.self_nomination_unit_opinion(actor=people.section, nomination=n, opinion="同意")
    with pytest.raises(ValidationError, match="本人的自荐"):
        services.self_nomination_unit_opinion(actor=people.me, nomination=n, opinion="同意")
    before = _denials()
    with pytest.raises(Http404):
        services.self_nomination_unit_opinion(actor=people.colleague, nomination=n, opinion="同意")
    assert _denials() == before + 1


def test_a_leader_does_not_give_the_opinion_on_their_own_nomination(people):
    own = people.submit(user=people.leader, cadre=people.leader_cadre, target="县直单位正职")
    with pytest.raises(ValidationError, match="本人的自荐"):
        services.self_nomination_unit_opinion(actor=people.leader, nomination=own, opinion="同意")
    assert not sel.nominations_for_opinion(user=people.leader).filter(pk=own.pk).exists()


# --- the cadre section's decision -----------------------------------------------------------


def test_the_cadre_section_accepts_into_the_watch_list(people):
    n = people.reviewed()
    n = services.self_nomination_decide(actor=people.section, nomination=n, accept=True)
    assert n.status == NominationStatus.ACCEPTED and n.decided_by == people.section
    with pytest.raises(ValidationError, match="不能再审核"):
        services.self_nomination_decide(
            actor=people.section, nomination=n, accept=False, reason="x"
        )


def test_a_decline_needs_a_reason_and_the_cadre_reads_it(people, client_as):
    n = people.reviewed()
    with pytest.raises(ValidationError, match="须写明理由"):
        services.self_nomination_decide(actor=people.section, nomination=n, accept=False)
    services.self_nomination_decide(
        actor=people.section, nomination=n, accept=False, reason="任职年限不足三年。"
    )
    page = client_as(people.me).get(f"/cadres/nominations/{n.pk}/").content.decode()
    assert "未采纳" in page and "任职年限不足三年。" in page


def test_the_decision_waits_for_the_units_opinion(people):
    n = people.submit()
    with pytest.raises(ValidationError, match="须先由所在单位提出意见"):
        services.self_nomination_decide(actor=people.section, nomination=n, accept=True)
    assert not sel.nominations_to_decide(user=people.section).filter(pk=n.pk).exists()


def test_a_nomination_by_the_units_only_leader_goes_straight_to_the_cadre_section(people):
    own = people.submit(user=people.leader, cadre=people.leader_cadre, target="县直单位正职")
    assert list(sel.nominations_to_decide(user=people.section)) == [own]
    own = services.self_nomination_decide(actor=people.section, nomination=own, accept=True)
    assert own.status == NominationStatus.ACCEPTED


def test_only_the_cadre_section_over_the_cadre_decides(people):
    n = people.reviewed()
    with pytest.raises(ValidationError, match="干部科审核"):
        services.self_nomination_decide(actor=people.leader, nomination=n, accept=True)
    other_section = user_with_role(Role.CADRE_STAFF, people.county.town_b)
    before = _denials()
    with pytest.raises(Http404):
        services.self_nomination_decide(actor=other_section, nomination=n, accept=True)
    assert _denials() == before + 1


def test_the_cadre_section_does_not_decide_its_own_nomination(people):
    staff_cadre = _cadre(people.county.town_a, "干部科员", 506, people.section)
    own = people.submit(user=people.section, cadre=staff_cadre)
    services.self_nomination_unit_opinion(actor=people.leader, nomination=own, opinion="同意")
    with pytest.raises(ValidationError, match="不能审核本人"):
        services.self_nomination_decide(actor=people.section, nomination=own, accept=True)


# --- who sees -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("me", True),
        ("leader", True),
        ("section", True),
        ("colleague", False),
        ("town_a_user", False),
        ("county_user", False),
    ],
)
def test_only_the_cadre_their_leader_and_the_cadre_section_see_it(
    request, people, client_as, who, sees
):
    user = getattr(people, who, None) or request.getfixturevalue(who)
    n = people.submit()
    before = _denials()
    response = client_as(user).get(f"/cadres/nominations/{n.pk}/")
    assert response.status_code == (200 if sees else 404)
    assert _denials() == before + (0 if sees else 1)
    listed = client_as(user).get("/cadres/nominations/").content.decode()
    assert ("城关镇党委副书记" in listed) is sees


def test_county_staff_do_not_read_nominations_in_the_audit_log(people, county_user):
    n = people.reviewed()
    rows = AuditLog.objects.filter(target_type="cadres.selfnomination", target_id=str(n.pk))
    assert rows.count() == 2
    assert not audit_list(user=county_user).filter(pk__in=rows.values("pk")).exists()


def test_the_evidence_file_is_downloaded_by_those_who_see_it_audited(people, client_as):
    n = people.submit(evidence_file=SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n"))
    response = client_as(people.leader).get(f"/cadres/nominations/{n.pk}/evidence/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, target_id=str(n.pk)).exists()
    assert (
        client_as(people.colleague).get(f"/cadres/nominations/{n.pk}/evidence/").status_code == 404
    )


# --- pages ----------------------------------------------------------------------------------


def test_the_workflow_through_the_pages(people, client_as):
    c = client_as(people.me)
    assert c.get("/cadres/nominations/new/").status_code == 200
    response = c.post(
        "/cadres/nominations/new/",
        {
            "target_kind": "reserve_pool",
            "target": "乡科级正职后备干部",
            "statement": "愿意到艰苦岗位。",
        },
    )
    n = SelfNomination.objects.get()
    assert response.status_code == 302 and n.target == "乡科级正职后备干部"
    assert "提交自荐" in c.get("/cadres/mine/").content.decode()
    leader = client_as(people.leader)
    assert "提交单位意见" in leader.get(f"/cadres/nominations/{n.pk}/").content.decode()
    leader.post(f"/cadres/nominations/{n.pk}/opinion/", {"opinion": "同意"})
    section = client_as(people.section)
    assert "纳入考察视野" in section.get(f"/cadres/nominations/{n.pk}/").content.decode()
    section.post(f"/cadres/nominations/{n.pk}/decline/", {"reason": ""})
    n.refresh_from_db()
    assert n.status == NominationStatus.UNIT_REVIEWED
    section.post(f"/cadres/nominations/{n.pk}/accept/", {"reason": "纳入视野"})
    n.refresh_from_db()
    assert n.status == NominationStatus.ACCEPTED


def test_the_form_shows_the_services_refusal(people, client_as):
    response = client_as(people.me).post(
        "/cadres/nominations/new/",
        {"target_kind": "post", "target": "副书记", "statement": "理由"},
    )
    assert response.status_code == 302
    again = client_as(people.me).post(
        "/cadres/nominations/new/",
        {"target_kind": "post", "target": "副书记", "statement": "理由"},
    )
    assert again.status_code == 200 and "未办结" in again.content.decode()


def test_a_user_without_a_cadre_record_has_no_own_page(client_as, county_user):
    assert client_as(county_user).get("/cadres/mine/").status_code == 404
    assert client_as(county_user).get("/cadres/nominations/new/").status_code == 404


def test_the_own_page_shows_the_record_and_the_menu_offers_it(people, client_as):
    people.cadre.native_place = "河南南阳"
    people.cadre.rank = "principal_4"
    people.cadre.party_joined = "200507"
    people.cadre.save()
    people.cadre.career.create(start="200307", end="200512", unit="城关镇", post="科员")
    page = client_as(people.me).get("/").content.decode()
    assert "/cadres/mine/" in page
    mine = client_as(people.me).get("/cadres/mine/").content.decode()
    assert "河南南阳" in mine and "四级主任科员" in mine and "/training/mine/" in mine
    assert "2005.07" in mine and "2003.07—2005.12 城关镇科员" in mine
    assert "None" not in mine


def test_the_menu_offers_the_queue_to_the_cadre_section_only(people, client_as, town_a_user):
    assert "/cadres/nominations/" in client_as(people.section).get("/").content.decode()
    assert "/cadres/mine/" not in client_as(town_a_user).get("/").content.decode()


# --- to-do ----------------------------------------------------------------------------------


def test_the_to_do_list_counts_for_whom_each_waits(people):
    n = people.submit()
    people.submit(target="二级主任科员", target_kind="rank")
    labels = lambda u: {i.label: i.count for i in todo_items(user=u)}  # noqa: E731
    assert labels(people.leader)["自荐待单位意见"] == 2
    assert "自荐待审核" not in labels(people.section)
    services.self_nomination_unit_opinion(actor=people.leader, nomination=n, opinion="同意")
    assert labels(people.section)["自荐待审核"] == 1
    services.correction_request_submit(
        actor=people.me,
        cadre=people.cadre,
        field="native_place",
        requested_value="河南",
        reason="误",
    )
    assert labels(people.section)["更正申请待处理"] == 1
    assert "更正申请待处理" not in labels(people.me)


# --- correction requests --------------------------------------------------------------------


def test_a_cadre_asks_for_a_correction_and_reads_the_answer(people, client_as):
    people.cadre.native_place = "河南南阳"
    people.cadre.save()
    c = client_as(people.me)
    c.post(
        "/cadres/mine/corrections/",
        {"field": "native_place", "requested_value": "河南邓州", "reason": "户籍记载为邓州"},
    )
    r = people.cadre.correction_requests.get()
    assert r.current_value == "河南南阳" and r.status == CorrectionStatus.PENDING
    assert AuditLog.objects.filter(action=AuditAction.CREATE, target_id=str(r.pk)).exists()
    section = client_as(people.section)
    assert "河南邓州" in section.get("/cadres/corrections/").content.decode()
    section.post(f"/cadres/corrections/{r.pk}/refused/", {"reply": ""})
    r.refresh_from_db()
    assert r.status == CorrectionStatus.PENDING
    section.post(f"/cadres/corrections/{r.pk}/refused/", {"reply": "以档案记载为准。"})
    r.refresh_from_db()
    assert r.status == CorrectionStatus.REFUSED
    assert "以档案记载为准。" in client_as(people.me).get("/cadres/mine/").content.decode()


def test_correction_requests_refused(people):
    people.cadre.native_place = "河南南阳"
    people.cadre.save()

    def ask(**kw):
        data = {"field": "native_place", "requested_value": "河南邓州", "reason": "误记"} | kw
        return services.correction_request_submit(actor=people.me, cadre=people.cadre, **data)

    with pytest.raises(ValidationError, match="无需更正"):
        ask(requested_value="河南南阳")
    with pytest.raises(ValidationError, match="请选择"):
        ask(field="id_number")
    with pytest.raises(ValidationError, match="更正理由"):
        ask(reason="")
    r = ask()
    with pytest.raises(ValidationError, match="待处理"):
        ask()
    with pytest.raises(Http404):
        services.correction_request_submit(
            actor=people.colleague,
            cadre=people.cadre,
            field="native_place",
            requested_value="x",
            reason="y",
        )
    with pytest.raises(ValidationError, match="干部科处理"):
        services.correction_request_handle(actor=people.me, correction=r, corrected=True)
    services.correction_request_handle(actor=people.section, correction=r, corrected=True)
    with pytest.raises(ValidationError, match="不能再处理"):
        services.correction_request_handle(actor=people.section, correction=r, corrected=True)


def test_the_correction_queue_is_the_cadre_sections(people, client_as, county_user):
    assert client_as(county_user).get("/cadres/corrections/").status_code == 404
    assert client_as(people.section).get("/cadres/corrections/").status_code == 200


# --- API ------------------------------------------------------------------------------------


def test_the_api_workflow(people, api_as):
    me = api_as(people.me)
    created = me.post(
        "/api/self-nominations",
        {"target_kind": "post", "target": "副书记", "statement": "熟悉党建"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    nid = created.json()["id"]
    assert [r["id"] for r in me.get("/api/self-nominations?box=mine").json()["items"]] == [nid]
    leader = api_as(people.leader)
    assert leader.get("/api/self-nominations?box=opinion").json()["count"] == 1
    r = leader.post(
        f"/api/self-nominations/{nid}/opinion", {"opinion": "同意"}, content_type="application/json"
    )
    assert r.json()["status"] == "unit_reviewed"
    section = api_as(people.section)
    r = section.post(
        f"/api/self-nominations/{nid}/decide",
        {"decision": "decline"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "须写明理由" in r.json()["errors"]["decision_reason"][0]
    r = section.post(
        f"/api/self-nominations/{nid}/decide",
        {"decision": "decline", "reason": "年限不足"},
        content_type="application/json",
    )
    assert r.json()["status"] == "declined"
    assert me.get(f"/api/self-nominations/{nid}").json()["decision_reason"] == "年限不足"
    r = me.post(f"/api/self-nominations/{nid}/withdraw")
    assert r.status_code == 400 and r.json()["message"] == "自荐未采纳，不能撤回。"


def test_the_api_refuses_a_user_without_a_record_and_hides_others(people, api_as, county_user):
    n = people.submit()
    county = api_as(county_user)
    r = county.post(
        "/api/self-nominations",
        {"target_kind": "post", "target": "x", "statement": "y"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert county.get("/api/self-nominations").json()["count"] == 0
    before = _denials()
    assert county.get(f"/api/self-nominations/{n.pk}").status_code == 404
    assert (
        api_as(people.colleague).post(f"/api/self-nominations/{n.pk}/withdraw").status_code == 404
    )
    assert _denials() == before + 2
