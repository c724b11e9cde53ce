from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from zuzhi.contests import scoring, selectors, services
from zuzhi.contests.models import (
    AppearanceStatus,
    CaseStatus,
    ContestStatus,
    ListMark,
    ResultVersion,
    StageKind,
    VersionStatus,
)
from zuzhi.contests.voting import services as voting
from zuzhi.contests.voting.services import Voter
from zuzhi.core.models import AuditLog

from .conftest import STAGES, stage_of


def evidence():
    return SimpleUploadedFile("证明.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")


def entrants_by_org(contest, county):
    by = {e.organization_id: e for e in contest.entrants.all()}
    return by[county.village_a1.pk], by[county.village_a2.pk], by[county.village_b1.pk]


def fill_indicators(contest, county, actor):
    a1, a2, b1 = entrants_by_org(contest, county)
    income, petitions = selectors.leaf_indicators(stage_of(contest, StageKind.INDICATORS))
    for entrant, inc, pet in ((a1, 100, 0), (a2, 50, 5), (b1, 0, 10)):
        services.indicator_value_set(actor=actor, entrant=entrant, indicator=income, value=inc)
        services.indicator_value_set(actor=actor, entrant=entrant, indicator=petitions, value=pet)


def judge_all(contest, actor, judges, totals):
    """Every judge gives each entrant (by organization pk) the same marks summing to total."""
    stage = stage_of(contest, StageKind.JUDGES)
    first, second = stage.criteria.all()
    for entrant in contest.entrants.all():
        services.appearance_open(actor=actor, stage=stage, entrant=entrant)
        for i, judge in enumerate(judges):
            total = totals[entrant.organization_id][i]
            services.sheet_submit(
                judge=judge,
                stage=stage,
                entrant=entrant,
                marks={first.pk: D(total) * D("0.6"), second.pk: D(total) * D("0.4")},
            )
        services.appearance_close(actor=actor, appearance=selectors.current_appearance(stage))


def vote(stage, entrant, phone_no):
    voter = Voter(phone_digest=f"digest{phone_no}", phone_tail=f"{phone_no:04d}")
    return voting.vote_cast(
        contest_id=stage.contest_id, entrant_id=entrant.pk, voter=voter, device="d", ip=None
    )


@pytest.fixture
def scored(running, county, county_user, judges):
    fill_indicators(running, county, county_user)
    a1, a2, b1 = entrants_by_org(running, county)
    judge_all(
        running,
        county_user,
        judges,
        {
            a1.organization_id: [90, 90, 90, 90, 90],
            a2.organization_id: [100, 80, 80, 80, 20],  # trimmed: 80
            b1.organization_id: [70, 70, 70, 70, 70],
        },
    )
    stage = stage_of(running, StageKind.PUBLIC_VOTE)
    for n in range(3):
        vote(stage, b1, n)
    vote(stage, a2, 10)
    return running


def test_weights_not_summing_to_100_refused(county, county_user):
    stages = [dict(s) for s in STAGES]
    stages[2] = {**stages[2], "weight": D(29)}
    with pytest.raises(ValidationError) as exc:
        services.contest_create(
            actor=county_user,
            organization=county.county,
            data={"name": "x", "track": "village", "period_label": "2026"},
            stages=stages,
        )
    assert "合计应为 100%，现为 99%" in str(exc.value)


def test_indicator_and_rater_group_weights_checked(county, county_user):
    bad_indicators = [
        {
            "kind": "indicators",
            "name": "指标",
            "weight": D(50),
            "indicators": [{"name": "甲", "weight": D(70)}, {"name": "乙", "weight": D(20)}],
        },
        {
            "kind": "appraisal",
            "name": "民主测评",
            "weight": D(50),
            "rater_groups": [{"name": "党员", "weight": D(60)}, {"name": "群众", "weight": D(30)}],
        },
    ]
    with pytest.raises(ValidationError) as exc:
        services.contest_create(
            actor=county_user,
            organization=county.county,
            data={"name": "x", "track": "village", "period_label": "2026"},
            stages=bad_indicators,
        )
    messages = str(exc.value)
    assert "同级指标的权重合计应为 100%，现为 90%" in messages
    assert "测评主体的权重合计应为 100%，现为 90%" in messages


def _create(county, county_user, stages):
    return services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "x", "track": "village", "period_label": "2026"},
        stages=stages,
    )


def test_stage_count_is_bounded(county, county_user):
    report = {"kind": "public_report", "name": "汇报", "weight": D(10)}
    assert _create(county, county_user, [dict(report) for _ in range(10)]).stages.count() == 10
    with pytest.raises(ValidationError, match="计分环节最多 10 个，现有 11 个"):
        _create(county, county_user, [dict(report, weight=D(5)) for _ in range(11)])


def test_criteria_rater_groups_and_indicators_are_bounded(county, county_user, api_as):
    criteria = [{"name": f"项{i}", "max_score": D(1)} for i in range(31)]
    groups = [{"name": f"主体{i}", "weight": D(10)} for i in range(10)] + [
        {"name": "多余", "weight": D(0)}
    ]
    leaves = [{"name": f"指标{i}", "weight": D("0.5"), "method": "raw"} for i in range(200)]
    stages = [
        {"kind": "judges", "name": "评审", "weight": D(40), "criteria": criteria},
        {"kind": "appraisal", "name": "测评", "weight": D(30), "rater_groups": groups},
        {
            "kind": "indicators",
            "name": "指标",
            "weight": D(30),
            "indicators": [{"name": "一级", "weight": D(100), "children": leaves}],
        },
    ]
    with pytest.raises(ValidationError) as exc:
        _create(county, county_user, stages)
    messages = str(exc.value)
    assert "第 1 个环节的评分项最多 30 个" in messages
    assert "第 2 个环节的测评主体最多 10 个" in messages
    assert "第 3 个环节的指标（各级合计）最多 200 个" in messages
    # The API answers the same rule in Chinese, not a server error.
    body = {
        "organization_id": county.county.pk,
        "name": "x",
        "track": "village",
        "period_label": "2026",
        "stages": [{"kind": "public_report", "name": f"汇报{i}", "weight": "5"} for i in range(20)],
    }
    response = api_as(county_user).post("/api/contests", body, content_type="application/json")
    assert response.status_code == 400
    assert "计分环节最多 10 个" in str(response.json()["errors"])


def test_trimmed_panel_needs_five_judges_to_start(contest, county_user, judges):
    services.entrants_add_eligible(actor=county_user, contest=contest)
    stage = stage_of(contest, StageKind.JUDGES)
    for judge in judges[:4]:
        services.judge_seat(actor=county_user, stage=stage, judge=judge)
    with pytest.raises(ValidationError, match="至少 5 位评委"):
        services.contest_start(actor=county_user, contest=contest)
    services.judge_seat(actor=county_user, stage=stage, judge=judges[4])
    assert services.contest_start(actor=county_user, contest=contest).status == "running"


def test_full_result_with_trimmed_judges_and_vote_rank(scored, county, county_user):
    version = services.result_compute(actor=county_user, contest=scored)
    rows = {r.entrant.organization_id: r for r in version.rows.select_related("entrant")}
    a1, a2, b1 = rows[county.village_a1.pk], rows[county.village_a2.pk], rows[county.village_b1.pk]
    indicators, judges_stage, votes = (str(s.pk) for s in scored.stages.all())
    assert (a1.stage_scores[indicators], a2.stage_scores[indicators]) == ("100.00", "50.00")
    assert a2.stage_scores[judges_stage] == "80.00"  # 100 and 20 dropped
    # votes: b1 3 → 1st = 3 of 3 points; a2 1 → 2nd; a1 0 → 3rd = 1 of 3
    assert (b1.stage_scores[votes], a2.stage_scores[votes], a1.stage_scores[votes]) == (
        "100.00",
        "66.67",
        "33.33",
    )
    # a1: 40 + 27 + 10 = 77; a2: 20 + 24 + 20 = 64; b1: 0 + 21 + 30 = 51
    assert (a1.final, a2.final, b1.final) == (D("77.00"), D("64.00"), D("51.00"))
    assert (a1.rank, a2.rank, b1.rank) == (1, 2, 3)
    assert a1.selected and a2.selected and not b1.selected
    assert (a1.list_mark, b1.list_mark) == ("red", "black")
    assert (a1.tier, b1.tier) == ("一般", "一般")


def test_published_result_is_locked_and_only_reversioned(scored, county, county_user):
    version = services.result_compute(actor=county_user, contest=scored)
    services.result_publish(actor=county_user, version=version)
    scored.refresh_from_db()
    assert scored.status == ContestStatus.PUBLISHED
    a1, a2, b1 = entrants_by_org(scored, county)
    income = selectors.leaf_indicators(stage_of(scored, StageKind.INDICATORS))[0]
    with pytest.raises(ValidationError, match="结果已发布"):
        services.indicator_value_set(actor=county_user, entrant=b1, indicator=income, value=1000)
    with pytest.raises(ValidationError, match="计算结果"):
        services.result_compute(actor=county_user, contest=scored)
    with pytest.raises(ValidationError, match="只有草稿"):
        services.result_publish(actor=county_user, version=version)
    # The black-listed village got a supervision case.
    case = scored.cases.get()
    assert case.entrant == b1 and case.status == CaseStatus.OPEN

    with pytest.raises(ValidationError):
        services.result_revise(actor=county_user, contest=scored, reason=" ")
    services.result_revise(actor=county_user, contest=scored, reason="张湾村集体收入漏报")
    services.indicator_value_set(actor=county_user, entrant=b1, indicator=income, value=1000)
    second = services.result_compute(actor=county_user, contest=scored)
    assert second.number == 2 and second.reason == "张湾村集体收入漏报"
    services.result_publish(actor=county_user, version=second)
    version.refresh_from_db()
    assert version.status == VersionStatus.SUPERSEDED
    assert version.rows.get(entrant=b1).final == D("51.00")  # the old version is unchanged
    assert second.rows.get(entrant=b1).final != D("51.00")
    assert ResultVersion.objects.filter(contest=scored).count() == 2
    # Open supervision cases follow the corrected black list: 张湾村 rose and its case closed.
    black = set(second.rows.filter(list_mark="black").values_list("entrant_id", flat=True))
    assert set(scored.cases.filter(status="open").values_list("entrant_id", flat=True)) == black
    assert b1.pk not in black and scored.cases.get(entrant=b1).status == "closed"


def test_judge_scores_once_and_correction_needs_secretary(running, county, county_user, judges):
    stage = stage_of(running, StageKind.JUDGES)
    first, second = stage.criteria.all()
    entrant = running.entrants.first()
    services.appearance_open(actor=county_user, stage=stage, entrant=entrant)
    marks = {first.pk: D(50), second.pk: D(30)}
    sheet = services.sheet_submit(judge=judges[0], stage=stage, entrant=entrant, marks=marks)
    with pytest.raises(ValidationError, match="已提交过"):
        services.sheet_submit(judge=judges[0], stage=stage, entrant=entrant, marks=marks)
    with pytest.raises(ValidationError, match="0 到 60"):
        services.sheet_submit(
            judge=judges[1], stage=stage, entrant=entrant, marks={first.pk: 61, second.pk: 1}
        )
    correction = services.correction_request(
        judge=judges[0], sheet=sheet, marks={first.pk: 55, second.pk: 30}, reason="按错了"
    )
    with pytest.raises(Http404):
        services.correction_decide(actor=judges[1], correction=correction, approve=True)
    services.correction_decide(actor=county_user, correction=correction, approve=True)
    sheet.refresh_from_db()
    assert sheet.total == D(85)
    assert (
        AuditLog.objects.filter(target_type="contests.scoresheet", target_id=str(sheet.pk)).count()
        == 2
    )


def test_judge_sees_only_own_contest(running, county, county_user, judges):
    other = services.contest_copy(
        actor=county_user,
        source=running,
        organization=county.county,
        name="乡镇夺杯",
        period_label="2026",
    )
    other_stage = stage_of(other, StageKind.JUDGES)
    judge = judges[0]
    assert list(selectors.contest_list(user=judge)) == [running]
    with pytest.raises(Http404):
        selectors.contest_get(user=judge, pk=other.pk)
    with pytest.raises(Http404):
        selectors.judge_stage_get(user=judge, pk=other_stage.pk)
    entrant = other.entrants.first() or running.entrants.first()
    with pytest.raises(Http404):
        services.sheet_submit(judge=judge, stage=other_stage, entrant=entrant, marks={})


def test_board_hides_scores_until_closed(running, county_user, judges):
    stage = stage_of(running, StageKind.JUDGES)
    first, second = stage.criteria.all()
    entrant = running.entrants.first()
    services.appearance_open(actor=county_user, stage=stage, entrant=entrant)
    services.sheet_submit(
        judge=judges[2], stage=stage, entrant=entrant, marks={first.pk: 50, second.pk: 30}
    )
    seats, rows = selectors.judges_board(stage=stage)
    assert rows[0].submitted == {3} and rows[0].scores is None
    with pytest.raises(ValidationError, match="还有 4 位评委"):
        services.appearance_close(actor=county_user, appearance=rows[0].appearance)
    for judge in judges[:2] + judges[3:]:
        services.sheet_submit(
            judge=judge, stage=stage, entrant=entrant, marks={first.pk: 40, second.pk: 30}
        )
    services.appearance_close(actor=county_user, appearance=rows[0].appearance)
    seats, rows = selectors.judges_board(stage=stage)
    assert rows[0].appearance.status == AppearanceStatus.CLOSED
    assert rows[0].scores[3] == D(80) and rows[0].panel == D("70.00")


def test_township_sees_only_its_entrants(running, county, town_a_user, town_b_user):
    visible = {e.organization_id for e in selectors.entrant_list(user=town_a_user, contest=running)}
    assert visible == {county.village_a1.pk, county.village_a2.pk}
    b1 = running.entrants.get(organization=county.village_b1)
    with pytest.raises(Http404):
        selectors.entrant_get(user=town_a_user, contest=running, pk=b1.pk)
    income = selectors.leaf_indicators(stage_of(running, StageKind.INDICATORS))[0]
    with pytest.raises(Http404):
        services.indicator_value_set(actor=town_a_user, entrant=b1, indicator=income, value=1)
    # The township may enter data for its own village, but cannot manage the county's contest.
    a1 = running.entrants.get(organization=county.village_a1)
    services.indicator_value_set(actor=town_a_user, entrant=a1, indicator=income, value=1)
    with pytest.raises(Http404):
        services.result_compute(actor=town_a_user, contest=running)


def test_result_rows_limited_to_scope(scored, county, county_user, town_b_user):
    version = services.result_compute(actor=county_user, contest=scored)
    services.result_publish(actor=county_user, version=version)
    rows = list(selectors.result_rows(user=town_b_user, version=version))
    assert [r.entrant.organization_id for r in rows] == [county.village_b1.pk]


def test_adjustments_need_county_approval_within_limit(running, county, county_user, town_a_user):
    a1 = running.entrants.get(organization=county.village_a1)
    with pytest.raises(ValidationError) as exc:
        services.adjustment_request(
            actor=town_a_user, entrant=a1, kind="bonus", amount=6, reason="", evidence=None
        )
    assert set(exc.value.message_dict) == {"amount", "reason", "evidence"}
    first = services.adjustment_request(
        actor=town_a_user,
        entrant=a1,
        kind="bonus",
        amount=3,
        reason="获省级表彰",
        evidence=evidence(),
    )
    second = services.adjustment_request(
        actor=town_a_user,
        entrant=a1,
        kind="bonus",
        amount=3,
        reason="获市级表彰",
        evidence=evidence(),
    )
    with pytest.raises(Http404):
        services.adjustment_decide(actor=town_a_user, adjustment=first, approve=True)
    services.adjustment_decide(actor=county_user, adjustment=first, approve=True)
    with pytest.raises(ValidationError, match="超过上限 5"):
        services.adjustment_decide(actor=county_user, adjustment=second, approve=True)
    assert selectors.adjustment_totals(running) == {a1.pk: D(3)}


def test_templates_copy_into_a_new_contest(county, county_user, contest):
    contest.is_template = True
    contest.save()
    with pytest.raises(ValidationError, match="模板"):
        services.contest_start(actor=county_user, contest=contest)
    copy = services.contest_copy(
        actor=county_user,
        source=contest,
        organization=county.county,
        name="村级十强 2027",
        period_label="2027年",
    )
    assert services.stage_specs(copy) == services.stage_specs(contest)
    assert copy.status == ContestStatus.DRAFT and not copy.is_template


def test_every_shipped_template_is_a_valid_configuration(county, county_user):
    from zuzhi.contests.models import Contest

    templates = list(Contest.objects.filter(is_template=True))
    assert {t.track for t in templates} == {
        "village",
        "township",
        "county_unit",
        "member",
        "retired_cadre",
    }
    for template in templates:
        copy = services.contest_copy(
            actor=county_user,
            source=template,
            organization=county.county,
            name=template.name,
            period_label="2026年",
        )
        config_problems = [
            p for p in services.contest_problems(copy) if "参评对象" not in p and "评委" not in p
        ]
        assert config_problems == [], template.name


def test_a_published_row_adds_up_from_its_displayed_figures(county, county_user):
    """Issue #11 §6: every figure shown is rounded to 2 decimals and the next step uses it.
    The second place of a vote by rank (N = 30) shows 96.67; weighted at 30 % with a report
    score of 80.02 at 70 %: 96.67 × 0.3 + 80.02 × 0.7 = 29.001 + 56.014 = 85.015 → 85.02
    (85.01 before, from the unrounded 29/30, which nobody reading the table could redo)."""
    contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "网络投票+评审", "track": "village", "period_label": "2026"},
        stages=[
            {"kind": "public_vote", "name": "网络投票", "weight": D(30), "rank_points": 30},
            {"kind": "public_report", "name": "评审", "weight": D(70)},
        ],
    )
    services.entrants_add_eligible(actor=county_user, contest=contest)
    services.contest_start(actor=county_user, contest=contest)
    vote_stage = stage_of(contest, StageKind.PUBLIC_VOTE)
    report = stage_of(contest, StageKind.PUBLIC_REPORT)
    by_org = {e.organization_id: e for e in contest.entrants.all()}
    first, second = by_org[county.village_a1.pk], by_org[county.village_a2.pk]
    for n, entrant in enumerate([first, first, second]):
        voting.vote_cast(
            contest_id=vote_stage.contest_id,
            entrant_id=entrant.pk,
            voter=Voter(phone_digest=f"digest-{n}", phone_tail=f"{n:04d}"),
            device="d",
            ip=None,
        )
    for entrant in contest.entrants.all():
        score = "80.02" if entrant == second else "50"
        services.direct_score_set(actor=county_user, entrant=entrant, stage=report, score=score)
    standings = selectors.contest_standings(contest=contest)
    assert standings.problems == []
    finals = {row["entrant_id"]: row["final"] for row in standings.rows}
    rows = {row["entrant_id"]: row for row in standings.rows}
    assert rows[second.pk]["stage_scores"][str(vote_stage.pk)] == "96.67"
    assert finals[second.pk] == D("85.02")
    assert finals[second.pk] == scoring.weighted_final([(D(30), D("96.67")), (D(70), D("80.02"))])


def test_a_vote_share_row_adds_up_as_published(county, county_user):
    """The arena case of the demo recomputation: 74.52 × 70 % + 26.67 × 30 % = 60.165 → 60.17
    (published 60.16 before, from the unrounded share 4/15 = 26.666…)."""
    contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "擂台", "track": "village", "period_label": "2026"},
        stages=[
            {"kind": "public_report", "name": "擂台比武", "weight": D(70)},
            {"kind": "public_vote", "name": "群众投票", "weight": D(30), "vote_method": "share"},
        ],
    )
    services.entrants_add_eligible(actor=county_user, contest=contest)
    services.contest_start(actor=county_user, contest=contest)
    report, vote_stage = (
        stage_of(contest, StageKind.PUBLIC_REPORT),
        stage_of(contest, StageKind.PUBLIC_VOTE),
    )
    by_org = {e.organization_id: e for e in contest.entrants.all()}
    counts = {county.village_a1.pk: 4, county.village_a2.pk: 5, county.village_b1.pk: 6}
    n = 0
    for org, votes in counts.items():
        for _ in range(votes):
            voting.vote_cast(
                contest_id=contest.pk,
                entrant_id=by_org[org].pk,
                voter=Voter(phone_digest=f"share-{n}", phone_tail=f"{n:04d}"),
                device="d",
                ip=None,
            )
            n += 1
    for entrant in contest.entrants.all():
        services.direct_score_set(actor=county_user, entrant=entrant, stage=report, score="74.52")
    rows = {r["entrant_id"]: r for r in selectors.contest_standings(contest=contest).rows}
    row = rows[by_org[county.village_a1.pk].pk]
    assert row["stage_scores"] == {str(report.pk): "74.52", str(vote_stage.pk): "26.67"}
    assert row["final"] == D("60.17")


def test_judge_cannot_approve_own_score_correction(running, county, county_user):
    """A bonus/penalty item may not be approved by the one who asked for it
    (adjustment_decide), but correction_decide has no such rule: a county staff member who is
    also seated as a judge corrects their own sheet and approves the correction themself."""
    from zuzhi.accounts.models import RoleAssignment
    from zuzhi.core.roles import Role

    RoleAssignment.objects.create(user=county_user, role=Role.JUDGE, organization=county.county)
    county_user = type(county_user).objects.get(pk=county_user.pk)  # fresh role cache
    stage = stage_of(running, StageKind.JUDGES)
    services.judge_seat(actor=county_user, stage=stage, judge=county_user)
    entrant = running.entrants.first()
    services.appearance_open(actor=county_user, stage=stage, entrant=entrant)
    first, second = stage.criteria.all()
    sheet = services.sheet_submit(
        judge=county_user, stage=stage, entrant=entrant, marks={first.pk: "30", second.pk: "20"}
    )
    correction = services.correction_request(
        judge=county_user,
        sheet=sheet,
        marks={first.pk: "60", second.pk: "40"},
        reason="录入有误",
    )
    with pytest.raises(ValidationError):
        services.correction_decide(actor=county_user, correction=correction, approve=True)


def test_seating_a_judge_after_scoring_closed_does_not_brick_the_result(
    running, county, county_user, judges
):
    """judge_seat is allowed while the contest runs, even once every entrant's scoring is
    closed. judges_stage_scores then wants a sheet from every seat, appearance_open refuses a
    closed entrant and no service unseats a judge: the result can never be computed again."""
    from zuzhi.core.roles import Role
    from zuzhi.testing.factories import user_with_role

    from .test_services import fill_indicators, judge_all

    fill_indicators(running, county, county_user)
    judge_all(
        running, county_user, judges, {e.organization_id: [80] * 5 for e in running.entrants.all()}
    )
    stage = stage_of(running, StageKind.JUDGES)
    late = user_with_role(Role.JUDGE, county.county, username="late_judge")
    try:
        services.judge_seat(actor=county_user, stage=stage, judge=late)
    except ValidationError:
        return  # refused: fine
    services.result_compute(actor=county_user, contest=running)


def test_publishing_a_draft_computed_before_later_changes_is_refused(
    running, county, county_user, judges
):
    """result_publish publishes the draft as it was computed, however old. Inputs stay open
    while the contest runs (values, votes, approvals), so data entered after "计算结果" is
    silently left out of the published result, and publishing then locks it: the published
    ranking is not the ranking of the locked data."""
    from .test_services import entrants_by_org, fill_indicators, judge_all

    fill_indicators(running, county, county_user)
    judge_all(
        running, county_user, judges, {e.organization_id: [80] * 5 for e in running.entrants.all()}
    )
    draft = services.result_compute(actor=county_user, contest=running)
    _, _, b1 = entrants_by_org(running, county)
    income, _ = selectors.leaf_indicators(stage_of(running, StageKind.INDICATORS))
    services.indicator_value_set(actor=county_user, entrant=b1, indicator=income, value=1000)
    try:
        published = services.result_publish(actor=county_user, version=draft)
    except ValidationError:
        return  # refused as stale: fine
    now = {r["entrant_id"]: r["final"] for r in selectors.contest_standings(contest=running).rows}
    shown = dict(published.rows.values_list("entrant_id", "final"))
    assert shown == now, "the published result misses data entered after computing"


def _report_contest(county, county_user, scores, **data):
    contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "名额线", "track": "village", "period_label": "2026", **data},
        stages=[{"kind": "public_report", "name": "汇报", "weight": D(100)}],
    )
    services.entrants_add_eligible(actor=county_user, contest=contest)
    services.contest_start(actor=county_user, contest=contest)
    report = contest.stages.get()
    entrants = {e.organization_id: e for e in contest.entrants.all()}
    for org, score in scores.items():
        services.direct_score_set(
            actor=county_user, entrant=entrants[org.pk], stage=report, score=score
        )
    rows = selectors.contest_standings(contest=contest).rows
    return {r["entrant_id"]: r for r in rows}, entrants


def test_entrants_tied_at_a_list_s_line_are_all_in_by_default(county, county_user):
    """Issue #11 §6: after the tie-breaks, everyone tied at the last place is in, the list
    grows, and the row says why."""
    rows, by_org = _report_contest(
        county,
        county_user,
        {county.village_a1: "90", county.village_a2: "90", county.village_b1: "50"},
        top_n=1,
        red_list_size=1,
    )
    a1, a2, b1 = (
        rows[by_org[o.pk].pk] for o in (county.village_a1, county.village_a2, county.village_b1)
    )
    assert a1["selected"] and a2["selected"] and not b1["selected"]
    assert a1["list_mark"] == a2["list_mark"] == "red"
    assert (
        "2 个参评对象并列第 1 名，跨过入选名额名额线（1 个），均列入，入选名额增至 2 个。"
        in a1["note"]
    )
    assert "红榜增至 2 个" in a2["note"]
    assert "名额线" not in b1["note"]


def test_a_contest_may_leave_everyone_tied_at_the_line_out(county, county_user):
    rows, by_org = _report_contest(
        county,
        county_user,
        {county.village_a1: "90", county.village_a2: "50", county.village_b1: "50"},
        top_n=1,
        black_list_size=1,
        edge_ties="none_in",
    )
    a1, a2, b1 = (
        rows[by_org[o.pk].pk] for o in (county.village_a1, county.village_a2, county.village_b1)
    )
    assert a1["selected"] and not a2["selected"] and not b1["selected"]
    assert a2["list_mark"] == b1["list_mark"] == ListMark.NONE
    assert "2 个参评对象并列第 2 名，跨过黑榜名额线（1 个），按本考评规定均不列入。" in b1["note"]
    assert "名额线" not in a1["note"]


def test_the_edge_rule_is_checked(county, county_user):
    with pytest.raises(ValidationError, match="请选择名额线上并列者的处理办法"):
        services.contest_create(
            actor=county_user,
            organization=county.county,
            data={"name": "x", "track": "village", "period_label": "2026", "edge_ties": "maybe"},
        )


def test_ties_are_broken_by_stage_scores_in_the_contest_s_stage_order(county, county_user):
    """Issue #11 §6: equal finals are separated by the stage scores in the contest's stage
    order (not the heaviest stage first), and the note names the stage that decided."""
    contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "并列", "track": "village", "period_label": "2026"},
        stages=[
            {"kind": "public_report", "name": "汇报", "weight": D(30)},
            {"kind": "public_report", "name": "评议", "weight": D(70)},
        ],
    )
    services.entrants_add_eligible(actor=county_user, contest=contest)
    services.contest_start(actor=county_user, contest=contest)
    report, review = contest.stages.order_by("order")
    by_org = {e.organization_id: e for e in contest.entrants.all()}
    # 30 % × 100 + 70 % × 70 = 79 = 30 % × 30 + 70 % × 100
    for org, (a, b) in {
        county.village_a1.pk: ("100", "70"),
        county.village_a2.pk: ("30", "100"),
        county.village_b1.pk: ("10", "10"),
    }.items():
        services.direct_score_set(actor=county_user, entrant=by_org[org], stage=report, score=a)
        services.direct_score_set(actor=county_user, entrant=by_org[org], stage=review, score=b)
    rows = {r["entrant_id"]: r for r in selectors.contest_standings(contest=contest).rows}
    first, second = rows[by_org[county.village_a1.pk].pk], rows[by_org[county.village_a2.pk].pk]
    assert first["final"] == second["final"] == D("79.00")
    assert (first["rank"], second["rank"]) == (1, 2)
    assert "按“汇报”得分排定第 1 名" in first["note"]


def test_a_parent_indicator_shows_that_it_sums_its_children(contest, county_user, client_as):
    from django.urls import reverse

    stage = contest.stages.get(kind=StageKind.INDICATORS)
    parent = stage.indicators.create(name="综合", weight=D(100), order=9)
    parent_page = client_as(county_user).get(reverse("contests:detail", args=[contest.pk]))
    assert "综合（100%，下级指标加权合计）" not in parent_page.content.decode()
    stage.indicators.filter(parent=None).exclude(pk=parent.pk).update(parent=parent)
    page = client_as(county_user).get(reverse("contests:detail", args=[contest.pk]))
    assert "综合（100%，下级指标加权合计）" in page.content.decode()
