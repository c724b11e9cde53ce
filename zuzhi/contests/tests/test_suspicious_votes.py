"""The vote-ledger audit (刷票线索): the database groups the ledger, only suspicious groups come
back, each with the ids the page needs to void them."""

import datetime

import pytest
from django.urls import reverse

from zuzhi.contests.models import StageKind, Vote
from zuzhi.contests.voting import services as voting
from zuzhi.contests.voting.selectors import suspicious_votes

from .test_votes import member_contest, voter  # noqa: F401 - fixtures

UTC = datetime.UTC
AT = datetime.datetime(2026, 11, 23, 2, 10, tzinfo=UTC)  # 10:10 in Asia/Shanghai
BURST = 5


def _no_raise(client):
    """Let a 500 come back as a response instead of an exception, to assert on its status."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def ledger(member_contest):  # noqa: F811
    """Cast votes on the member contest's public vote: `cast(n, ip=..., at=...)` casts one
    vote per voter number in `n` and sets their time, returning the ids."""
    contest, _ = member_contest
    stage = contest.stages.get(kind=StageKind.PUBLIC_VOTE)
    entrants = list(contest.entrants.order_by("number").values_list("pk", flat=True))

    def cast(voters, *, ip=None, device="", at=AT, entrant=0):
        ids = [
            voting.vote_cast(
                contest_id=stage.contest_id,
                entrant_id=entrants[entrant],
                voter=voter(n),
                device=device,
                ip=ip(n) if callable(ip) else ip,
            )
            for n in voters
        ]
        Vote.objects.filter(pk__in=ids).update(cast_at=at)
        return ids

    cast.stage = stage
    cast.entrants = entrants
    return cast


def bursts(found):
    return {(b["network"], b["minute"]): sorted(b["vote_ids"]) for b in found["ip_bursts"]}


def test_a_burst_from_one_range_in_one_minute_is_reported_with_all_its_ids(ledger):
    first = ledger(range(1, 4), ip=lambda n: f"10.1.2.{n}", at=AT)
    last = ledger(range(4, 6), ip=lambda n: f"10.1.2.{n * 10}", at=AT.replace(second=59))
    # One short of a burst: the neighbouring /24, and the same range in the next minute.
    ledger(range(6, 10), ip=lambda n: f"10.1.3.{n}", at=AT.replace(second=30))
    ledger(range(10, 14), ip=lambda n: f"10.1.2.{n}", at=AT + datetime.timedelta(minutes=1))

    found = suspicious_votes(stage=ledger.stage, burst=BURST)

    assert bursts(found) == {("10.1.2.0/24", "2026-11-23 10:10"): sorted(first + last)}
    assert found["ip_bursts"][0]["votes"] == BURST
    assert found["ip_bursts_total"] == 1


def test_the_same_range_in_two_minutes_is_two_groups(ledger):
    early = ledger(range(1, 6), ip=lambda n: f"10.1.2.{n}", at=AT)
    late = ledger(range(6, 11), ip=lambda n: f"10.1.2.{n}", at=AT + datetime.timedelta(minutes=1))

    found = suspicious_votes(stage=ledger.stage, burst=BURST)

    assert bursts(found) == {
        ("10.1.2.0/24", "2026-11-23 10:10"): sorted(early),
        ("10.1.2.0/24", "2026-11-23 10:11"): sorted(late),
    }


def test_the_minute_is_shanghai_local_time(ledger):
    at = datetime.datetime(2026, 11, 23, 0, 30, 40, tzinfo=UTC)
    ledger(range(1, 6), ip=lambda n: f"10.1.2.{n}", at=at)

    found = suspicious_votes(stage=ledger.stage, burst=BURST)

    assert [b["minute"] for b in found["ip_bursts"]] == ["2026-11-23 08:30"]


def test_voided_votes_are_not_counted(ledger, county_user):
    ids = ledger(range(1, 6), ip=lambda n: f"10.1.2.{n}")
    shared = ledger([6, 7], device="dev-shared")
    assert len(suspicious_votes(stage=ledger.stage, burst=BURST)["ip_bursts"]) == 1

    voting.votes_void(
        actor=county_user, stage=ledger.stage, vote_ids=ids[:1] + shared[:1], reason="核查"
    )

    found = suspicious_votes(stage=ledger.stage, burst=BURST)
    assert found["ip_bursts"] == [] and found["ip_bursts_total"] == 0
    assert found["shared_devices"] == [] and found["shared_devices_total"] == 0


def test_a_device_used_with_several_phones_is_reported(ledger):
    shared = ledger([1], device="dev-shared-0001") + ledger([2, 2], device="dev-shared-0001")
    # One phone voting for three entrants from one device is not suspicious.
    for entrant in range(3):
        ledger([3], device="dev-one-phone", entrant=entrant)
    # Without a device cookie there is nothing to compare.
    ledger([4, 5], device="")

    found = suspicious_votes(stage=ledger.stage, burst=BURST)

    assert found["shared_devices"] == [
        {"device": "dev-shar…", "phones": 2, "votes": 3, "vote_ids": sorted(shared)}
    ]
    assert found["shared_devices_total"] == 1


def test_ipv6_votes_are_ignored_for_bursts(ledger):
    ledger(range(1, 6), ip=lambda n: f"2001:db8::{n}")
    # IPv4-mapped addresses are IPv6 to PostgreSQL (family 6), and so on SQLite too.
    ledger(range(6, 11), ip=lambda n: f"::ffff:10.1.2.{n}")

    found = suspicious_votes(stage=ledger.stage, burst=BURST)

    assert found["ip_bursts"] == [] and found["ip_bursts_total"] == 0


def test_only_the_largest_groups_are_listed_with_the_total(ledger):
    """Three suspicious groups of each kind, 4, 3 and 2 votes: a limit of two lists the two
    largest, largest first, and still counts all three."""
    sizes = {"10.1.1": range(1, 5), "10.1.2": range(5, 8), "10.1.3": range(8, 10)}
    ids = {
        net: ledger(voters, ip=lambda n, net=net: f"{net}.{n}", device=f"device-{net}")
        for net, voters in sizes.items()
    }

    found = suspicious_votes(stage=ledger.stage, burst=2, limit=2)

    assert [(b["network"], sorted(b["vote_ids"])) for b in found["ip_bursts"]] == [
        ("10.1.1.0/24", sorted(ids["10.1.1"])),
        ("10.1.2.0/24", sorted(ids["10.1.2"])),
    ]
    assert found["ip_bursts_total"] == 3
    assert [(d["votes"], sorted(d["vote_ids"])) for d in found["shared_devices"]] == [
        (4, sorted(ids["10.1.1"])),
        (3, sorted(ids["10.1.2"])),
    ]
    assert found["shared_devices_total"] == 3
    assert suspicious_votes(stage=ledger.stage, burst=2, limit=3)["ip_bursts_total"] == 3


def test_the_review_page_shows_the_groups(ledger, member_contest, county_user, client_as):  # noqa: F811
    contest, _ = member_contest
    ledger(range(1, 21), ip=lambda n: f"10.1.2.{n}")

    response = client_as(county_user).get(reverse("contests:votes", args=[contest.pk]))

    text = response.content.decode()
    assert "10.1.2.0/24 · 2026-11-23 10:10 · 20 票" in text
    assert "仅显示" not in text


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
