"""Regression tests from a second reviewer's read of the contest engine: each docstring tells
the defect the test caught (all fixed since), so that it cannot come back."""

import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zuzhi.contests import selectors, services
from zuzhi.contests.models import StageKind, Vote
from zuzhi.contests.services import Voter, VoteRefused
from zuzhi.contests.sms import ConsoleSmsBackend

from .conftest import stage_of


def _no_raise(client):
    """Let a 500 come back as a response instead of an exception, to assert on its status."""
    client.raise_request_exception = False
    return client


def _sent_code(phone: str) -> str:
    sent = [message for to, message in ConsoleSmsBackend.sent if to == phone]
    return re.search(r"验证码 (\d{6})", sent[-1]).group(1)


# --- public vote ---------------------------------------------------------------------------


def test_five_wrong_codes_spoil_the_sms_code(running, client):
    """services.vote_code_verify promises "five wrong tries spoil it", but the attempts
    counter is raised inside the same atomic block that the VoteRefused then rolls back: the
    counter never moves, so a 6-digit code can be guessed without limit."""
    ConsoleSmsBackend.sent.clear()
    phone = "13900139000"
    url = f"/api/public/contests/{running.pk}"
    sent = client.post(f"{url}/codes", {"phone": phone}, content_type="application/json")
    assert sent.status_code == 200
    code = _sent_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(services.CODE_ATTEMPTS):
        response = client.post(
            f"{url}/voters", {"phone": phone, "code": wrong}, content_type="application/json"
        )
        assert response.status_code == 400
    # The sixth try, even with the right code, must be refused: the code is spoilt.
    response = client.post(
        f"{url}/voters", {"phone": phone, "code": code}, content_type="application/json"
    )
    assert response.status_code == 400, "a brute-forced code still verifies after 5 misses"


def test_unknown_contest_ids_do_not_grow_the_vote_target_cache(db, client):
    """selectors.vote_target stores an entry in the module-level dict for every contest id it
    is asked about, misses and ids beyond any table included, and never evicts one. The
    public, unauthenticated vote endpoint calls it before any check, so anyone can grow each
    server process's memory without bound by posting to /api/public/contests/<n>/votes."""
    selectors.vote_target_forget()
    for n in range(300):
        response = client.post(
            f"/api/public/contests/{10**12 + n}/votes",
            {"entrant_id": 1},
            content_type="application/json",
        )
        assert response.status_code == 404
    assert len(selectors._vote_targets) < 300, "every unknown id stays cached for good"


def test_a_stage_allowing_zero_votes_a_day_is_refused_or_blocks_voting(county, county_user):
    """Nothing checks the vote limits of a stage (the page form takes votes_per_day "0"), and
    the quota upsert only applies the cap on conflict: the first INSERT of a day stores
    used=1 whatever the cap, so a cap of 0 still lets one vote a day through."""
    stages = [{"kind": "public_vote", "name": "投票", "weight": D(100), "votes_per_day": 0}]
    try:
        contest = services.contest_create(
            actor=county_user,
            organization=county.county,
            data={"name": "零票", "track": "village", "period_label": "2026"},
            stages=stages,
        )
    except ValidationError:
        return  # refused at configuration: fine
    services.entrants_add_eligible(actor=county_user, contest=contest)
    services.contest_start(actor=county_user, contest=contest)
    stage = stage_of(contest, StageKind.PUBLIC_VOTE)
    voter = Voter(phone_digest="digest-zero", phone_tail="0000")
    with pytest.raises(VoteRefused):
        services.vote_cast(
            stage=stage,
            entrant_id=contest.entrants.first().pk,
            voter=voter,
            device="d",
            ip=None,
        )
    assert not Vote.objects.filter(stage=stage).exists()


def test_phone_number_must_be_ascii_digits(running):
    """MOBILE_RX uses \\d, which matches any Unicode decimal digit: "1390013900０" (a
    full-width zero) passes as an 11-digit mobile, gets its own digest and so its own vote
    quota. One phone written with different digit forms counts as many voters wherever the
    SMS gateway normalises the digits."""
    ConsoleSmsBackend.sent.clear()
    with pytest.raises(VoteRefused, match="11 位手机号码"):
        services.vote_code_send(contest=running, phone="1390013900０", ip=None)
    assert not ConsoleSmsBackend.sent


# --- odd input: 500s -------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "①"])
def test_page_ids_that_are_digits_but_not_numbers_are_a_404(running, town_a_user, client_as, raw):
    """views._int (and forms.stages_from_post, contest_edit_view, votes_view,
    importers.parse_id) accept str.isdigit() and then call int(): "²" and "①" are digits to
    isdigit() but int() raises ValueError, so any logged-in township user gets a 500 from the
    bonus/penalty form."""
    client = _no_raise(client_as(town_a_user))
    response = client.post(
        reverse("contests:adjustments", args=[running.pk]),
        {"entrant": raw, "kind": "bonus", "amount": "1", "reason": "x"},
    )
    assert response.status_code in (302, 404), response.status_code


def test_rules_form_with_odd_digits_is_not_a_500(contest, county_user, client_as):
    """contest_edit_view (top_n …) and forms.stages_from_post (stage_count, vote limits) use the
    same isdigit()-then-int() pattern."""
    client = _no_raise(client_as(county_user))
    response = client.post(
        reverse("contests:edit", args=[contest.pk]),
        {"name": contest.name, "period_label": "2026年", "top_n": "²", "stage_count": "²"},
    )
    assert response.status_code in (200, 302), response.status_code


def test_import_cell_with_odd_digits_is_a_cell_error():
    """importers.parse_id: a ValueError instead of a CellError escapes core.excel._read_cell,
    so one "²" cell fails the whole import instead of being reported on its row."""
    from zuzhi.contests.importers import parse_id
    from zuzhi.core.excel import CellError

    with pytest.raises(CellError):
        parse_id("²")


def test_voiding_huge_vote_ids_is_not_a_500(running, county_user, api_as):
    """VoidIn.vote_ids is list[int] with no bounds and votes_view parses any run of digits;
    both end in Vote.objects.filter(pk__in=[10**30]), an OverflowError on SQLite (a DataError
    on PostgreSQL): a 500 instead of "没有可作废的选票"."""
    api = _no_raise(api_as(county_user))
    response = api.post(
        f"/api/contests/{running.pk}/votes/void",
        {"vote_ids": [10**30], "reason": "刷票"},
        content_type="application/json",
    )
    assert response.status_code in (400, 404, 422), response.status_code


def test_voiding_huge_vote_ids_on_the_page_is_not_a_500(running, county_user, client_as):
    page = _no_raise(client_as(county_user))
    response = page.post(
        reverse("contests:votes", args=[running.pk]),
        {"vote_ids": "9" * 30, "reason": "刷票"},
    )
    assert response.status_code == 302, response.status_code


# --- arithmetic ------------------------------------------------------------------------------


def test_indicator_scores_follow_the_published_table(county, county_user):
    """Each indicator's score is kept to 2 decimals as the published table shows it, and the
    stage total is computed from those: 甲 1.005 → 1.01, 乙 1.00, so 0.5 × 1.01 + 0.5 × 1.00 =
    1.005 → 1.01, which anyone can recompute from the table (not 1.00 from unrounded leaves)."""
    contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "舍入", "track": "village", "period_label": "2026"},
        stages=[
            {
                "kind": "indicators",
                "name": "指标",
                "weight": D(100),
                "indicators": [
                    {"name": "甲", "weight": D(50), "method": "minmax"},
                    {"name": "乙", "weight": D(50), "method": "minmax"},
                ],
            }
        ],
    )
    services.entrants_add_eligible(actor=county_user, contest=contest)
    stage = stage_of(contest, StageKind.INDICATORS)
    first, second = selectors.leaf_indicators(stage)
    by_org = {e.organization_id: e for e in contest.entrants.all()}
    values = {
        county.village_a1.pk: ("2.01", "2"),  # 甲 = 1.005 points, 乙 = 1.00 points
        county.village_a2.pk: ("200", "200"),
        county.village_b1.pk: ("0", "0"),
    }
    for org_id, (a, b) in values.items():
        entrant = by_org[org_id]
        services.indicator_value_set(actor=county_user, entrant=entrant, indicator=first, value=a)
        services.indicator_value_set(actor=county_user, entrant=entrant, indicator=second, value=b)
    entrants = dict(contest.entrants.values_list("pk", "name"))
    result = selectors.indicator_stage_scores(stage, entrants)
    assert result.problems == []
    assert result.scores[by_org[county.village_a1.pk].pk] == D("1.01")


def test_vote_rank_points_are_exact_before_weighting(county, county_user):
    """Vote rank conversion (1st = N, 2nd = N−1, …): with N = 30 and a 30 % weight the second
    place must add exactly 29. scoring.vote_scores rounds the 0–100 stage score first
    (29/30 → 96.67), so it adds 29.001, and with a 70 % report score of 80.02 (56.014) the
    final 85.014 → 85.01 becomes 85.015 → 85.02."""
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
        services.vote_cast(
            stage=vote_stage,
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
    assert finals[second.pk] == D("85.01")  # 29 + 0.7 × 80.02 = 85.014


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


# --- publishing ------------------------------------------------------------------------------


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


# --- API contract ----------------------------------------------------------------------------


def test_api_can_change_the_scoring_rules_of_a_draft(contest, county_user, api_as):
    """PUT /api/contests/{id}/stages takes a bare JSON list (payload: list[StageSpec]), but
    the API's StrictParser refuses every body that is not a JSON object: the endpoint answers
    400 "请求体无法解析" to every request, valid or not, and can never be used."""
    body = {"stages": [{"kind": "public_report", "name": "公开汇报", "weight": "100"}]}
    response = api_as(county_user).put(
        f"/api/contests/{contest.pk}/stages", body, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert [s["kind"] for s in response.json()["stages"]] == ["public_report"]
