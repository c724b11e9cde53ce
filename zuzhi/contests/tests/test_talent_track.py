"""Talent awards (人才评选: 拔尖人才, 回创之星) on the contest engine: the talent track is run by
the talent office over its county and by nobody else; its entrants are talents of the
registry, of the office's own county and still working there; judges score as anywhere."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.contests import rules, selectors, services
from zuzhi.contests.models import Contest, ContestStatus, Entrant, StageKind, Track
from zuzhi.contests.voting.selectors import public_contest
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.talent.models import TalentStatus
from zuzhi.testing.factories import make_talent, user_with_role

JUDGES_STAGE = {
    "kind": StageKind.JUDGES,
    "name": "评审",
    "weight": D(100),
    "aggregation": "mean",
    "criteria": [
        {"name": "业绩贡献", "max_score": D(60)},
        {"name": "创新能力", "max_score": D(40)},
    ],
}


def denials() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


@pytest.fixture
def award(talent_world) -> Contest:
    """A draft 拔尖人才 award of the county's talent office, judged by a panel, with 周青 and a
    second talent of the county entered."""
    w = talent_world
    contest = services.contest_create(
        actor=w.office,
        organization=w.county.county,
        data={"name": "2026年度拔尖人才评选", "track": Track.TALENT, "period_label": "2026年"},
        stages=[JUDGES_STAGE],
    )
    services.entrant_add(actor=w.office, contest=contest, talent=w.talent, story="长期扎根")
    second = make_talent(w.county.county, name="王博", employer="示范县新材料公司")
    services.entrant_add(actor=w.office, contest=contest, talent=second)
    return contest


@pytest.fixture
def panel(talent_world):
    county = talent_world.county.county
    return [user_with_role(Role.JUDGE, county, username=f"rcpw{i}") for i in range(1, 3)]


def test_the_office_creates_enters_seats_and_publishes_from_the_pages(
    talent_world, panel, client_as
):
    w = talent_world
    make_talent(w.county.county, name="王博")
    client = client_as(w.office)
    form = client.get("/contests/new/").content.decode()
    assert 'value="talent"' in form and 'value="village"' not in form
    response = client.post(
        "/contests/new/",
        {
            "name": "回创之星评选",
            "track": "talent",
            "period_label": "2026年",
            "organization": w.county.county.pk,
        },
    )
    contest = Contest.objects.get(name="回创之星评选")
    assert response.url == f"/contests/{contest.pk}/edit/"
    assert (contest.track, contest.organization) == (Track.TALENT, w.county.county)
    services.contest_configure(actor=w.office, contest=contest, stages=[JUDGES_STAGE])
    assert client.get(f"/contests/{contest.pk}/").status_code == 200  # not the judges' page
    for name in ("周青", "王博"):
        client.post(f"/contests/{contest.pk}/entrants/", {"talent": name})
    entrants = list(contest.entrants.order_by("number"))
    assert [(e.name, e.organization_id) for e in entrants] == [
        ("周青", w.county.county.pk),
        ("王博", w.county.county.pk),
    ]
    stage = contest.stages.get()
    for judge in panel:
        client.post(
            f"/contests/{contest.pk}/board/{stage.pk}/judges/", {"username": judge.username}
        )
    client.post(f"/contests/{contest.pk}/do/start/")
    contest.refresh_from_db()
    assert contest.status == ContestStatus.RUNNING
    criteria = list(stage.criteria.all())
    for i, entrant in enumerate(entrants):
        client.post(f"/contests/{contest.pk}/board/{stage.pk}/open/", {"entrant": entrant.pk})
        for judge in panel:
            marks = {criteria[0].pk: str(50 - i * 10), criteria[1].pk: "30"}
            services.sheet_submit(judge=judge, stage=stage, entrant=entrant, marks=marks)
        client.post(f"/contests/{contest.pk}/board/{stage.pk}/close/")
    client.post(f"/contests/{contest.pk}/do/compute/")
    version = contest.versions.get()
    client.post(f"/contests/{contest.pk}/results/{version.pk}/publish/")
    contest.refresh_from_db()
    assert contest.status == ContestStatus.PUBLISHED
    rows = list(version.rows.order_by("rank"))
    assert [(r.entrant.name, r.final) for r in rows] == [("周青", D("80.00")), ("王博", D("70.00"))]
    page = client.get(f"/contests/{contest.pk}/results/").content.decode()
    assert "周青" in page and "王博" in page


def test_a_seated_judge_scores_a_talent_award_as_any_contest(talent_world, award, panel):
    w = talent_world
    stage = award.stages.get()
    for judge in panel:
        services.judge_seat(actor=w.office, stage=stage, judge=judge)
    services.contest_start(actor=w.office, contest=award)
    entrant = award.entrants.get(talent=w.talent)
    services.appearance_open(actor=w.office, stage=stage, entrant=entrant)
    judge = panel[0]
    assert selectors.contest_get(user=judge, pk=award.pk) == award
    assert selectors.is_judge_only(judge, award)
    assert not selectors.entrant_list(user=judge, contest=award).exists()
    first, second = stage.criteria.all()
    sheet = services.sheet_submit(
        judge=judge, stage=stage, entrant=entrant, marks={first.pk: "55", second.pk: "35.5"}
    )
    assert sheet.total == D("90.5")


@pytest.mark.parametrize("who", ["county_staff", "township", "other_office", "talent_user"])
def test_everyone_but_the_office_gets_the_logged_404(talent_world, award, client_as, api_as, who):
    w = talent_world
    user = getattr(w, who)
    entrant = award.entrants.first()
    pages = [
        f"/contests/{award.pk}/",
        f"/contests/{award.pk}/results/",
        f"/contests/{award.pk}/adjustments/",
    ]
    apis = [
        f"/api/contests/{award.pk}",
        f"/api/contests/{award.pk}/entrants",
        f"/api/contests/{award.pk}/results",
    ]
    for url in pages:
        before = denials()
        assert client_as(user).get(url).status_code == 404, url
        assert denials() > before, url
    for url in apis:
        before = denials()
        assert api_as(user).get(url).status_code == 404, url
        assert denials() > before, url
    assert "拔尖人才" not in client_as(user).get("/contests/").content.decode()
    # Nor do the entrant rules let them reach a talent entrant by other paths.
    assert not Entrant.objects.visible_to(user).filter(contest=award).exists()
    assert not rules.acts_for(user, entrant)
    with pytest.raises(Http404):
        services.entrant_update(actor=user, entrant=entrant, story="改")


@pytest.mark.parametrize("who", ["county_staff", "township", "other_office"])
def test_nobody_but_the_office_manages_a_talent_award(talent_world, award, panel, who):
    w = talent_world
    user = getattr(w, who)
    stage = award.stages.get()
    with pytest.raises(Http404):
        services.judge_seat(actor=user, stage=stage, judge=panel[0])
    with pytest.raises(Http404):
        services.entrant_add(actor=user, contest=award, talent=w.talent)
    with pytest.raises(Http404):
        services.contest_start(actor=user, contest=award)
    assert selectors.entrant_list(user=w.office, contest=award).count() == 2


def test_the_office_enters_only_talents_of_its_county_still_there(talent_world, award):
    w = talent_world
    before = denials()
    with pytest.raises(Http404):
        services.entrant_add(actor=w.office, contest=award, talent=w.other_talent)
    assert denials() > before
    gone = make_talent(
        w.county.county, name="李离", status=TalentStatus.LEFT, left_on=datetime.date(2026, 6, 30)
    )
    with pytest.raises(ValidationError, match="已离开本县"):
        services.entrant_add(actor=w.office, contest=award, talent=gone)
    with pytest.raises(ValidationError, match="已经是本次考评的参评对象"):
        services.entrant_add(actor=w.office, contest=award, talent=w.talent)
    assert award.entrants.count() == 2


def test_the_page_does_not_find_another_countys_talent(talent_world, award, client_as):
    client = client_as(talent_world.office)
    client.post(f"/contests/{award.pk}/entrants/", {"talent": "吴远"})
    assert award.entrants.count() == 2
    page = client.get(f"/contests/{award.pk}/").content.decode()
    assert "请输入人才姓名" in page


def test_the_office_sees_no_organization_contest(talent_world, client_as):
    w = talent_world
    village = services.contest_create(
        actor=w.county_staff,
        organization=w.county.county,
        data={"name": "村级十强", "track": Track.VILLAGE, "period_label": "2026年"},
    )
    assert "村级十强" not in client_as(w.office).get("/contests/").content.decode()
    assert not selectors.contest_list(user=w.office).filter(pk=village.pk).exists()
    before = denials()
    with pytest.raises(Http404):
        selectors.contest_get(user=w.office, pk=village.pk)
    assert denials() > before
    # Nor may it organize one: the organization tracks are the data roles'.
    assert Track.VILLAGE not in dict(rules.creatable_tracks(w.office))
    with pytest.raises(Http404):
        services.contest_create(
            actor=w.office,
            organization=w.county.county,
            data={"name": "村级十强", "track": Track.VILLAGE, "period_label": "2027年"},
        )


def test_only_the_office_sets_up_a_talent_award(talent_world, client_as):
    w = talent_world
    assert 'value="talent"' not in client_as(w.county_staff).get("/contests/new/").content.decode()
    data = {"name": "拔尖人才", "track": Track.TALENT, "period_label": "2026年"}
    with pytest.raises(ValidationError, match="人才办"):
        services.contest_create(actor=w.county_staff, organization=w.county.county, data=data)
    with pytest.raises(Http404):
        services.contest_create(actor=w.other_office, organization=w.county.county, data=data)
    with pytest.raises(ValidationError, match="主办单位为本县"):
        services.contest_create(actor=w.office, organization=w.county.town_a, data=data)


def test_the_track_of_a_talent_award_is_not_switched(talent_world):
    w = talent_world
    contest = services.contest_create(
        actor=w.office,
        organization=w.county.county,
        data={"name": "拔尖人才", "track": Track.TALENT, "period_label": "2026年"},
    )
    with pytest.raises(ValidationError, match="不能互改"):
        services.contest_update(actor=w.office, contest=contest, data={"track": Track.MEMBER})


def test_the_public_page_shows_a_talent_by_name_and_employer_only(talent_world):
    w = talent_world
    contest = services.contest_create(
        actor=w.office,
        organization=w.county.county,
        data={"name": "回创之星", "track": Track.TALENT, "period_label": "2026年"},
        stages=[{"kind": StageKind.PUBLIC_VOTE, "name": "网络投票", "weight": D(100)}],
    )
    services.entrant_add(actor=w.office, contest=contest, talent=w.talent)
    services.contest_start(actor=w.office, contest=contest)
    (shown,) = public_contest(pk=contest.pk)["entrants"]
    assert shown["name"] == "周青"
    assert shown["organization"] == w.talent.employer
    text = str(shown)
    assert w.talent.phone not in text and w.talent.id_number not in text


def test_a_talent_award_is_no_ranking_of_the_county_committee(talent_world, award, panel):
    """A talent entrant's organization is the county node: the cadre triggers (业绩倒数) and the
    archive's offers, which read organizations' places, must not take a talent's place for
    the county's leaders'."""
    from django.utils import timezone

    from zuzhi.adjustments.models import AdjustmentCase, Trigger
    from zuzhi.adjustments.services import triggers_evaluate
    from zuzhi.archive.offers import archive_offers_for_contest
    from zuzhi.cadres.team_services import post_appoint, team_create
    from zuzhi.core.scope import SYSTEM
    from zuzhi.testing.factories import make_cadre, valid_id_number

    w = talent_world
    team = team_create(actor=SYSTEM, organization=w.county.county, kind="county_unit")
    chief = make_cadre(w.county.county, name="县书记", id_number=valid_id_number(sequence=31))
    post_appoint(
        actor=SYSTEM,
        post=team.posts.get(title="局长（主任）"),
        cadre=chief,
        start=datetime.date(2025, 1, 6),
    )
    stage = award.stages.get()
    for judge in panel:
        services.judge_seat(actor=w.office, stage=stage, judge=judge)
    services.contest_start(actor=w.office, contest=award)
    first, second = stage.criteria.all()
    for i, entrant in enumerate(award.entrants.order_by("number")):
        services.appearance_open(actor=w.office, stage=stage, entrant=entrant)
        for judge in panel:
            marks = {first.pk: str(50 - i), second.pk: "30"}
            services.sheet_submit(judge=judge, stage=stage, entrant=entrant, marks=marks)
        services.appearance_close(actor=w.office, appearance=selectors.current_appearance(stage))
    version = services.result_compute(actor=w.office, contest=award)
    services.result_publish(actor=w.office, version=version)

    triggers_evaluate(today=timezone.localdate())
    assert not AdjustmentCase.objects.filter(trigger=Trigger.BOTTOM, cadre=chief).exists()
    award.refresh_from_db()
    assert archive_offers_for_contest(contest=award) == []


def test_the_office_copies_last_years_award(talent_world, award, client_as):
    w = talent_world
    client = client_as(w.office)
    assert "示范县委" in client.get(f"/contests/{award.pk}/copy/").content.decode()
    client.post(
        f"/contests/{award.pk}/copy/",
        {
            "name": "2027年度拔尖人才评选",
            "period_label": "2027年",
            "organization": w.county.county.pk,
        },
    )
    copy = Contest.objects.get(name="2027年度拔尖人才评选")
    assert (copy.track, copy.organization, copy.entrants.count()) == (
        Track.TALENT,
        w.county.county,
        0,
    )
    assert copy.stages.get().criteria.count() == 2


def test_the_to_do_lists_a_talent_awards_missing_values_to_the_office_only(talent_world):
    from zuzhi.contests.selectors.todo import indicator_values_missing

    w = talent_world
    contest = services.contest_create(
        actor=w.office,
        organization=w.county.county,
        data={"name": "青年人才积分", "track": Track.TALENT, "period_label": "2026年"},
        stages=[
            {
                "kind": StageKind.INDICATORS,
                "name": "积分",
                "weight": D(100),
                "indicators": [{"name": "专利件数", "weight": D(100), "method": "raw"}],
            }
        ],
    )
    services.entrant_add(actor=w.office, contest=contest, talent=w.talent)
    services.contest_start(actor=w.office, contest=contest)
    assert indicator_values_missing(user=w.office) == [(contest, 1)]
    assert indicator_values_missing(user=w.county_staff) == []
    assert indicator_values_missing(user=w.township) == []


def test_the_api_sets_up_an_award_and_enters_talents_of_the_county(talent_world, api_as):
    w = talent_world
    api = api_as(w.office)
    created = api.post(
        "/api/contests",
        {
            "organization_id": w.county.county.pk,
            "name": "回创之星评选",
            "track": "talent",
            "period_label": "2026年",
            "stages": [{**JUDGES_STAGE, "kind": "judges"}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/contests/{created.json()['id']}/entrants"
    added = api.post(url, {"talent_id": w.talent.pk}, content_type="application/json")
    assert added.status_code == 201 and added.json()["name"] == "周青"
    other = api.post(url, {"talent_id": w.other_talent.pk}, content_type="application/json")
    assert other.status_code == 404
    assert [e["name"] for e in api.get(url).json()["items"]] == ["周青"]
    payload = {
        "organization_id": w.county.county.pk,
        "name": "县直人才评选",
        "track": "talent",
        "period_label": "2026年",
        "stages": [{**JUDGES_STAGE, "kind": "judges"}],
    }
    refused = api_as(w.county_staff).post("/api/contests", payload, content_type="application/json")
    assert refused.status_code == 404
    assert not Contest.objects.filter(name="县直人才评选").exists()
