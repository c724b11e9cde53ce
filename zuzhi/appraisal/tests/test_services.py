import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404

from zuzhi.appraisal.models import AppraisalRound, Ballot, BallotCode, Grade, RoundStatus
from zuzhi.appraisal.services import (
    appraisal_close,
    appraisal_decide,
    appraisal_open,
    appraisal_publish,
    ballot_cast,
    tally,
)
from zuzhi.testing.factories import make_member, valid_id_number


@pytest.fixture
def branch(county):
    members = [
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
        for i in range(6)
    ]
    make_member(
        county.village_a1,
        name="预备",
        id_number=valid_id_number("19900101", 50),
        status="probationary",
        full_date=None,
        join_date=datetime.date(2026, 3, 1),
    )
    return members


def marks_for(round_, grade=Grade.QUALIFIED, excellent=0):
    subjects = list(round_.subjects.order_by("pk").values_list("pk", flat=True))
    return {pk: (Grade.EXCELLENT if i < excellent else grade) for i, pk in enumerate(subjects)}


def test_one_code_per_voting_member_and_each_code_once(county, town_a_user, branch):
    round_, codes = appraisal_open(actor=town_a_user, organization=county.village_a1, year=2026)
    assert (
        len(codes) == 6 and round_.subjects.count() == 7
    )  # probationary members are appraised, not voting
    ballot_cast(round_id=round_.pk, code=codes[0].lower(), marks=marks_for(round_))
    with pytest.raises(ValidationError, match="已经使用"):
        ballot_cast(round_id=round_.pk, code=codes[0], marks=marks_for(round_))
    with pytest.raises(ValidationError, match="无效"):
        ballot_cast(round_id=round_.pk, code="NOTACODE", marks=marks_for(round_))
    assert Ballot.objects.count() == 1


def test_nothing_links_a_ballot_to_its_voter(county, town_a_user, branch):
    from zuzhi.core.context import RequestMeta, reset_request_meta, set_request_meta

    round_, codes = appraisal_open(actor=town_a_user, organization=county.village_a1, year=2026)
    for i, code in enumerate(codes[:3]):
        token = set_request_meta(RequestMeta(ip=f"10.0.0.{i + 1}", request_id=f"req{i}"))
        try:
            ballot_cast(round_id=round_.pk, code=code, marks=marks_for(round_))
        finally:
            reset_request_meta(token)
    ballot_columns = {f.column for f in Ballot._meta.concrete_fields}
    assert ballot_columns == {"id", "round_id", "marks"}
    code_columns = {f.column for f in BallotCode._meta.concrete_fields}
    assert code_columns == {"id", "round_id", "digest", "used"}
    with connection.cursor() as cursor:
        stored = [
            c.name
            for c in connection.introspection.get_table_description(cursor, Ballot._meta.db_table)
        ]
    assert set(stored) == {"id", "round_id", "marks"}
    assert not any(code in str(list(BallotCode.objects.values())) for code in codes)
    from zuzhi.core.models import AuditLog

    votes = AuditLog.objects.filter(message="收到一张无记名选票")
    assert votes.count() == 3 and {v.actor_id for v in votes} == {None}
    assert {(v.ip, v.request_id) for v in votes} == {(None, "")}
    assert not any(
        str(b.pk) in (v.target_id or "")
        for b in Ballot.objects.all()
        for v in votes
        if v.target_type == "appraisal.ballot"
    )


def test_excellent_is_capped_on_ballots_and_in_the_decision(county, town_a_user, branch):
    round_, codes = appraisal_open(actor=town_a_user, organization=county.village_a1, year=2026)
    with pytest.raises(ValidationError, match="不能超过 2 名"):
        ballot_cast(round_id=round_.pk, code=codes[0], marks=marks_for(round_, excellent=3))
    ballot_cast(round_id=round_.pk, code=codes[0], marks=marks_for(round_, excellent=2))
    appraisal_close(actor=town_a_user, round_=round_)
    counts = tally(round_)
    assert sum(c[Grade.EXCELLENT] for c in counts.values()) == 2
    with pytest.raises(ValidationError, match="超过了上限 2 名"):
        appraisal_decide(actor=town_a_user, round_=round_, grades=marks_for(round_, excellent=3))
    appraisal_decide(actor=town_a_user, round_=round_, grades=marks_for(round_, excellent=2))


def test_published_results_are_locked(county, town_a_user, town_b_user, branch):
    round_, codes = appraisal_open(actor=town_a_user, organization=county.village_a1, year=2026)
    with pytest.raises(Http404):
        appraisal_close(actor=town_b_user, round_=round_)
    appraisal_close(actor=town_a_user, round_=round_)
    with pytest.raises(ValidationError, match="投票已结束"):
        ballot_cast(round_id=round_.pk, code=codes[1], marks=marks_for(round_))
    with pytest.raises(ValidationError):
        appraisal_publish(actor=town_a_user, round_=round_)
    appraisal_decide(actor=town_a_user, round_=round_, grades=marks_for(round_, excellent=1))
    appraisal_publish(actor=town_a_user, round_=round_)
    with pytest.raises(ValidationError, match="已公布"):
        appraisal_decide(actor=town_a_user, round_=round_, grades=marks_for(round_))
    assert AppraisalRound.objects.get().status == RoundStatus.PUBLISHED


@pytest.mark.parametrize(
    "subjects,limit", [(1, 0), (2, 0), (3, 1), (5, 1), (6, 2), (9, 3), (10, 3), (30, 10)]
)
def test_excellent_limit_is_one_third_rounded_down(subjects, limit):
    from decimal import Decimal

    from zuzhi.appraisal.services import excellent_limit

    assert excellent_limit(AppraisalRound(excellent_cap=Decimal("0.333")), subjects) == limit


def test_an_appraisal_year_beyond_2100_is_refused(county, town_a_user, branch):
    with pytest.raises(ValidationError) as exc:
        appraisal_open(actor=town_a_user, organization=county.village_a1, year=3000)
    assert exc.value.message_dict == {"year": ["年度应在 1900 年至 2100 年之间。"]}
