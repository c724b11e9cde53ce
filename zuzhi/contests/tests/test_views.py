"""The contest pages: one URL per action (the API's shape), each refusing a stray method."""

import re

import pytest
from django.urls import reverse

from zuzhi.contests import services
from zuzhi.contests.models import Appearance, ScoreSheet, StageKind, Vote
from zuzhi.contests.voting.sms import ConsoleSmsBackend

from .conftest import stage_of


def _no_raise(client):
    """Let a 500 come back as a response instead of an exception, to assert on its status."""
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "name",
    ["contests:results", "contests:public"],
)
def test_pages_that_used_to_switch_on_a_form_field_take_no_post(
    running, county_user, client_as, name
):
    assert (
        client_as(county_user).post(reverse(name, args=[running.pk]), {"case": "1"}).status_code
        == 405
    )


def test_board_takes_no_post(running, county_user, client_as):
    stage = stage_of(running, StageKind.JUDGES)
    url = reverse("contests:board", args=[running.pk, stage.pk])
    assert client_as(county_user).post(url, {"close": "1"}).status_code == 405


def test_board_actions_each_have_their_url(running, county, county_user, judges, client_as):
    from zuzhi.core.roles import Role
    from zuzhi.testing.factories import user_with_role

    stage = stage_of(running, StageKind.JUDGES)
    client = client_as(county_user)
    args = [running.pk, stage.pk]
    board = reverse("contests:board", args=args)
    entrant = running.entrants.order_by("number").first()

    assert (
        client.post(reverse("contests:board_open", args=args), {"entrant": entrant.pk}).url == board
    )
    assert Appearance.objects.get(stage=stage, entrant=entrant).status == "open"
    # Closing before every judge has scored is refused, the reason shown on the board.
    client.post(reverse("contests:board_close", args=args))
    assert "还有 5 位评委没有提交评分" in client.get(board).content.decode()
    first, second = stage.criteria.all()
    for judge in judges:
        services.sheet_submit(
            judge=judge, stage=stage, entrant=entrant, marks={first.pk: "50", second.pk: "30"}
        )
    client.post(reverse("contests:board_close", args=args))
    assert Appearance.objects.get(stage=stage, entrant=entrant).status == "closed"

    sheet = ScoreSheet.objects.get(stage=stage, entrant=entrant, judge=judges[0])
    item = services.correction_request(
        judge=judges[0], sheet=sheet, marks={first.pk: "55", second.pk: "30"}, reason="看错行"
    )
    client.post(reverse("contests:board_correction", args=[*args, item.pk]), {"approve": "1"})
    item.refresh_from_db()
    assert item.status == "approved"

    # Seating a judge after scoring began is refused; the account must exist.
    user_with_role(Role.JUDGE, county.county, username="judge6")
    client.post(reverse("contests:board_seat", args=args), {"username": "judge6"})
    assert "不能再增加评委" in client.get(board).content.decode()
    client.post(reverse("contests:board_seat", args=args), {"username": "nobody"})
    assert "没有这个账号" in client.get(board).content.decode()


def test_board_actions_are_the_organizer_s(running, town_a_user, client_as):
    stage = stage_of(running, StageKind.JUDGES)
    entrant = running.entrants.first()
    url = reverse("contests:board_open", args=[running.pk, stage.pk])
    assert client_as(town_a_user).post(url, {"entrant": entrant.pk}).status_code == 404
    assert not Appearance.objects.exists()


def test_results_publish_and_case_close_have_their_urls(
    running, county, county_user, judges, client_as
):
    from .test_services import fill_indicators, judge_all

    fill_indicators(running, county, county_user)
    judge_all(
        running, county_user, judges, {e.organization_id: [80] * 5 for e in running.entrants.all()}
    )
    version = services.result_compute(actor=county_user, contest=running)
    client = client_as(county_user)
    page = client.get(reverse("contests:results", args=[running.pk])).content.decode()
    publish = reverse("contests:result_publish", args=[running.pk, version.pk])
    assert f'action="{publish}"' in page
    assert "四舍五入保留两位小数，下一步用保留后的分数计算" in page
    assert "依次比较各一级指标得分（权重大的在前）" in page
    assert client.post(publish).url == reverse("contests:results", args=[running.pk])
    version.refresh_from_db()
    assert version.status == "published"

    case = running.cases.get()
    close = reverse("contests:case_close", args=[running.pk, case.pk])
    assert (
        f'action="{close}"'
        in client.get(reverse("contests:results", args=[running.pk])).content.decode()
    )
    client.post(close, {"resolution": "已整改"})
    case.refresh_from_db()
    assert case.status == "closed" and case.resolution == "已整改"


def test_a_version_not_visible_is_neither_exported_nor_published(
    running, county, county_user, town_a_user, judges, client_as
):
    from .test_services import fill_indicators, judge_all

    fill_indicators(running, county, county_user)
    judge_all(
        running, county_user, judges, {e.organization_id: [80] * 5 for e in running.entrants.all()}
    )
    draft = services.result_compute(actor=county_user, contest=running)
    township = client_as(town_a_user)  # drafts are the organizer's
    assert (
        township.get(
            reverse("contests:results_export", args=[running.pk, draft.pk, "xlsx"])
        ).status_code
        == 404
    )
    assert (
        township.post(reverse("contests:result_publish", args=[running.pk, draft.pk])).status_code
        == 404
    )
    assert (
        client_as(county_user)
        .get(reverse("contests:results_export", args=[running.pk, draft.pk, "csv"]))
        .status_code
        == 404
    )


def test_the_public_page_sends_verifies_and_votes_at_their_own_urls(running, client):
    ConsoleSmsBackend.sent.clear()
    page = client.get(reverse("contests:public", args=[running.pk])).content.decode()
    code_url = reverse("contests:public_code", args=[running.pk])
    assert f'formaction="{code_url}"' in page
    sent = client.post(code_url, {"phone": "13900139000"}).content.decode()
    assert "验证码已发送" in sent and 'value="13900139000"' in sent
    code = re.search(r"验证码 (\d{6})", ConsoleSmsBackend.sent[-1][1]).group(1)
    verified = client.post(
        reverse("contests:public_verify", args=[running.pk]), {"phone": "13900139000", "code": code}
    )
    assert "验证成功" in verified.content.decode() and "zuzhi_voter" in verified.cookies
    entrant = running.entrants.first()
    voted = client.post(reverse("contests:public_vote", args=[running.pk]), {"entrant": entrant.pk})
    assert "投票成功" in voted.content.decode()
    assert Vote.objects.get().entrant == entrant


def test_the_public_page_refuses_a_vote_without_a_verified_phone(running, client):
    """The page casts through the same service as the API and the short path: the voter-token
    rule is the service's."""
    entrant = running.entrants.first()
    page = client.post(reverse("contests:public_vote", args=[running.pk]), {"entrant": entrant.pk})
    assert "请先用手机号码验证后再投票" in page.content.decode()
    assert not Vote.objects.exists()


def test_the_public_vote_url_of_a_draft_is_not_found(contest, client):
    assert (
        client.post(
            reverse("contests:public_vote", args=[contest.pk]), {"entrant": "1"}
        ).status_code
        == 404
    )


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


@pytest.mark.parametrize(("v", "status"), [("", 200), (str(2**64), 404), ("abc", 404)])
def test_results_page_reads_the_version_as_every_page_reads_an_id(
    running, county_user, client_as, v, status
):
    page = _no_raise(client_as(county_user))
    response = page.get(reverse("contests:results", args=[running.pk]), {"v": v})
    assert response.status_code == status
