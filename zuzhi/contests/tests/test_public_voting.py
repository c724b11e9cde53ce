"""A voter's way through the public vote (群众投票): the list of contests to vote in, counts
that include the vote just cast, whom they voted for and how many votes are left today, and
a finished contest that says voting has ended."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from zuzhi.contests import services
from zuzhi.contests.models import Contest, ContestStatus, StageKind
from zuzhi.contests.voting import services as voting
from zuzhi.contests.voting.services import VOTER_COOKIE, Voter


@pytest.fixture(autouse=True)
def _fresh_totals():
    caches["shared"].clear()


def _vote_contest(county, county_user, name, **stage):
    contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": name, "track": "village", "period_label": "2026年"},
        stages=[{"kind": "public_vote", "name": "群众投票", "weight": D(100), **stage}],
    )
    services.entrants_add_eligible(actor=county_user, contest=contest)
    return contest


@pytest.fixture
def open_contest(county, county_user):
    contest = _vote_contest(county, county_user, "最美村庄", votes_per_day=2)
    return services.contest_start(actor=county_user, contest=contest)


def _as_voter(client, n=1):
    client.cookies[VOTER_COOKIE] = voting.voter_token(
        Voter(phone_digest=f"digest-{n}", phone_tail=f"{n:04d}")
    )
    return client


def _votes_shown(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<strong class="votes">(\d+)</strong>', page)]


def test_the_public_list_shows_only_contests_open_for_voting(
    open_contest, county, county_user, client
):
    draft = _vote_contest(county, county_user, "筹备中的评选")
    closed = services.contest_start(
        actor=county_user, contest=_vote_contest(county, county_user, "已截止的评选")
    )
    closed.stages.filter(kind=StageKind.PUBLIC_VOTE).update(
        vote_closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    page = client.get(reverse("contests:public_list"))  # no login
    body = page.content.decode()
    assert page.status_code == 200
    assert "最美村庄" in body and reverse("contests:public", args=[open_contest.pk]) in body
    assert draft.name not in body and closed.name not in body
    assert not any(t.name in body for t in Contest.objects.filter(is_template=True))
    api = client.get("/api/public/contests")
    assert api.status_code == 200
    [item] = api.json()
    assert item["id"] == open_contest.pk and item["voting_open"] is True
    assert item["url"] == reverse("contests:public", args=[open_contest.pk])


def test_the_count_includes_the_vote_just_cast(open_contest, client, settings):
    settings.ZUZHI_VOTE_TOTALS_SECONDS = 300  # totals read before the vote stay cached
    url = reverse("contests:public", args=[open_contest.pk])
    assert _votes_shown(client.get(url).content.decode()) == [0, 0, 0]
    first = open_contest.entrants.order_by("number").first()
    page = _as_voter(client).post(
        reverse("contests:public_vote", args=[open_contest.pk]), {"entrant": first.pk}
    )
    assert _votes_shown(page.content.decode()) == [1, 0, 0]


def test_the_voter_sees_whom_they_voted_for_and_votes_left_today(open_contest, client):
    url = reverse("contests:public", args=[open_contest.pk])
    client = _as_voter(client)
    assert "今天还可投 <strong>2</strong> 票" in client.get(url).content.decode()
    second = open_contest.entrants.order_by("number")[1]
    vote = reverse("contests:public_vote", args=[open_contest.pk])
    page = client.post(vote, {"entrant": second.pk}).content.decode()
    assert "今天还可投 <strong>1</strong> 票" in page
    assert page.count("今天已投 1 票") == 1
    assert re.search(rf"{second.number}号 {second.name} <span[^>]*>今天已投 1 票", page)
    page = client.post(vote, {"entrant": second.pk}).content.decode()
    assert "今天的票已投完" in page and "今天已投 2 票" in page and "投一票" not in page
    # Another phone has voted for nobody yet.
    other = _as_voter(client, 2).get(url).content.decode()
    assert "今天已投" not in other and "今天还可投 <strong>2</strong> 票" in other


def test_a_finished_contest_says_voting_has_ended(open_contest, client):
    Contest.objects.filter(pk=open_contest.pk).update(status=ContestStatus.PUBLISHED)
    page = client.get(reverse("contests:public", args=[open_contest.pk])).content.decode()
    assert "投票已经结束" in page and "获取验证码" not in page
    data = client.get(f"/api/public/contests/{open_contest.pk}").json()
    assert data["voting_open"] is False and data["voting_message"] == "投票已经结束。"
