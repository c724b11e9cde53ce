import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zuzhi.appraisal.services import ballot_code_digest
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.scope import SYSTEM
from zuzhi.team_appraisal import services
from zuzhi.team_appraisal.models import (
    AppraisalBallot,
    AppraisalBallotCode,
    AppraisalStatus,
    TeamAppraisal,
    TeamAppraisalResult,
)
from zuzhi.team_appraisal.selectors import appraisal_flags, appraisal_results

from .conftest import GROUPS, full_marks

G = services.GroupInput


def test_open_appraises_the_holders_and_stores_only_code_digests(world, opened):
    appraisal, codes = opened()
    assert [s.cadre for s in appraisal.subjects.order_by("order")] == [
        world.secretary,
        world.deputy,
        world.member,
    ]
    assert [s.post for s in appraisal.subjects.order_by("order")] == ["书记", "副书记", "组织委员"]
    assert {name: len(c) for name, c in codes.items()} == {
        "班子成员": 5,
        "中层干部": 5,
        "服务对象": 5,
    }
    digests = set(AppraisalBallotCode.objects.values_list("digest", flat=True))
    assert digests == {ballot_code_digest(c) for cs in codes.values() for c in cs}
    assert codes["班子成员"][0] not in str(list(AppraisalBallotCode.objects.values_list()))
    log = AuditLog.objects.get(target_type="team_appraisal.teamappraisal")
    assert log.action == AuditAction.CREATE and log.actor == world.staff


def test_weights_must_sum_to_100(world, opened):
    groups = [
        G("班子成员", Decimal(30), 5),
        G("中层干部", Decimal(40), 5),
        G("群众", Decimal(20), 5),
    ]
    with pytest.raises(ValidationError, match="各测评主体的权重合计应为 100%，现为 90%"):
        opened(groups=groups)
    with pytest.raises(ValidationError, match="测评日期不能晚于今天"):
        opened(opened_on=datetime.date.today() + datetime.timedelta(days=2))
    assert not TeamAppraisal.objects.exists()


def test_one_open_round_per_team_and_a_team_needs_holders(world, opened, county):
    opened()
    with pytest.raises(ValidationError, match="已有正在进行的民主测评"):
        opened()
    from zuzhi.cadres.team_services import team_create

    empty = team_create(actor=SYSTEM, organization=county.town_b, kind="township_committee")
    with pytest.raises(ValidationError, match="目前没有在任成员"):
        services.appraisal_open(actor=world.staff, team=empty, year=2026, groups=GROUPS)


def test_a_code_is_used_once(world, opened):
    appraisal, codes = opened()
    code = codes["中层干部"][0]
    services.ballot_cast(appraisal_id=appraisal.pk, code=code, marks=full_marks(appraisal))
    with pytest.raises(ValidationError, match="选票码无效或已经使用"):
        services.ballot_cast(appraisal_id=appraisal.pk, code=code, marks=full_marks(appraisal))
    # A code of another round or a typo is no better.
    with pytest.raises(ValidationError, match="选票码无效或已经使用"):
        services.ballot_cast(
            appraisal_id=appraisal.pk, code="ABCDEFGH", marks=full_marks(appraisal)
        )
    ballot = AppraisalBallot.objects.get()
    assert ballot.group.name == "中层干部"
    assert services.ballot_code_group(appraisal=appraisal, code=code) is None
    # A code typed in lower case with blanks is the same code.
    other = codes["中层干部"][1]
    assert services.ballot_code_group(appraisal=appraisal, code=f" {other.lower()} ").name == (
        "中层干部"
    )


def test_a_half_filled_ballot_is_refused_naming_what_is_missing(world, opened):
    appraisal, codes = opened()
    marks = full_marks(appraisal)
    deputy = appraisal.subjects.get(cadre=world.deputy).pk
    member = appraisal.subjects.get(cadre=world.member).pk
    del marks[deputy]["de"]
    marks[deputy]["lian"] = ""
    marks[member]["overall"] = "unrated"  # 不定等次 is no grade a rater gives
    with pytest.raises(ValidationError) as refused:
        services.ballot_cast(appraisal_id=appraisal.pk, code=codes["班子成员"][0], marks=marks)
    assert refused.value.messages == [
        "选票没有填完，请补评：甲副书记的德、廉；甲组织委员的综合评价。"
    ]
    assert not AppraisalBallot.objects.exists()
    # The code is not spent by the refused ballot.
    services.ballot_cast(
        appraisal_id=appraisal.pk, code=codes["班子成员"][0], marks=full_marks(appraisal)
    )


def test_a_closed_round_refuses_ballots_and_keeps_its_results(world, opened):
    appraisal, codes = opened()
    services.ballot_cast(
        appraisal_id=appraisal.pk, code=codes["班子成员"][0], marks=full_marks(appraisal)
    )
    services.appraisal_close(actor=world.staff, appraisal=appraisal)
    with pytest.raises(ValidationError, match="本次民主测评已经结束"):
        services.ballot_cast(
            appraisal_id=appraisal.pk, code=codes["班子成员"][1], marks=full_marks(appraisal)
        )
    with pytest.raises(ValidationError, match="已经结束"):
        services.appraisal_close(actor=world.staff, appraisal=appraisal)
    assert AppraisalBallot.objects.count() == 1
    assert TeamAppraisalResult.objects.count() == 3
    assert TeamAppraisal.objects.get().status == AppraisalStatus.CLOSED


def test_closing_needs_a_ballot(world, opened):
    appraisal, _ = opened()
    with pytest.raises(ValidationError, match="还没有收到选票"):
        services.appraisal_close(actor=world.staff, appraisal=appraisal)


def _cast(appraisal, codes, group, overall_grades, cadre):
    """Cast one ballot per grade in `overall_grades` for `cadre` (others 称职) in `group`."""
    for code, grade in zip(codes[group], overall_grades, strict=False):
        services.ballot_cast(
            appraisal_id=appraisal.pk, code=code, marks=full_marks(appraisal, {cadre.pk: grade})
        )


def test_weighted_shares_by_hand(world, opened):
    appraisal, codes = opened(groups=[G("班子成员", Decimal(30), 4), G("中层干部", Decimal(70), 3)])
    _cast(
        appraisal,
        codes,
        "班子成员",
        ["excellent", "competent", "basically", "incompetent"],
        world.deputy,
    )
    _cast(appraisal, codes, "中层干部", ["competent", "incompetent", "incompetent"], world.deputy)
    appraisal = services.appraisal_close(actor=world.staff, appraisal=appraisal)
    deputy = next(r for r in appraisal_results(appraisal) if r.cadre_id == world.deputy.pk)
    # 30 % × 2/4 + 70 % × 1/3 = 0.38333…; 30 % × 1/4 + 70 % × 2/3 = 0.54166…
    assert (deputy.approval, deputy.unfit) == (Decimal("0.3833"), Decimal("0.5417"))
    assert deputy.below_approval and deputy.above_unfit
    assert [g.overall for g in deputy.groups] == [[1, 1, 1, 1], [0, 1, 0, 2]]
    assert deputy.groups[0].dimensions["de"] == [0, 4, 0, 0]
    secretary = next(r for r in appraisal_results(appraisal) if r.cadre_id == world.secretary.pk)
    assert (secretary.approval, secretary.below_approval) == (Decimal("1.0000"), False)


def test_a_silent_group_is_left_out(world, opened):
    appraisal, codes = opened()
    _cast(appraisal, codes, "班子成员", ["competent"], world.deputy)
    _cast(appraisal, codes, "中层干部", ["basically"], world.deputy)
    services.appraisal_close(actor=world.staff, appraisal=appraisal)
    result = TeamAppraisalResult.objects.get(cadre=world.deputy)
    assert result.approval == Decimal("0.4286")  # 30 / (30 + 40)


@pytest.mark.parametrize(
    ("grades", "below", "above"),
    [
        (["excellent", "competent", "basically"], False, False),  # exactly 2/3 approve
        (["excellent", "basically", "basically"], True, False),  # one vote off
        (["competent", "competent", "incompetent"], False, False),  # exactly 1/3 unfit
        (["competent", "incompetent", "incompetent"], True, True),  # one vote off
    ],
)
def test_thresholds_at_the_boundary(world, opened, grades, below, above):
    appraisal, codes = opened(groups=[G("全体", Decimal(100), 3)])
    _cast(appraisal, codes, "全体", grades, world.member)
    services.appraisal_close(actor=world.staff, appraisal=appraisal)
    result = TeamAppraisalResult.objects.get(cadre=world.member)
    assert (result.below_approval, result.above_unfit) == (below, above)


def _round(world, opened, *, on, grade):
    appraisal, codes = opened(groups=[G("全体", Decimal(100), 1)], opened_on=on)
    _cast(appraisal, codes, "全体", [grade], world.deputy)
    return services.appraisal_close(actor=world.staff, appraisal=appraisal, closed_on=on)


def test_appraisal_flags_reads_the_latest_closed_round_since(
    world, opened, django_assert_num_queries
):
    first = _round(world, opened, on=datetime.date(2026, 3, 1), grade="basically")
    second = _round(world, opened, on=datetime.date(2026, 6, 1), grade="competent")
    with django_assert_num_queries(1):
        flags = appraisal_flags(since=datetime.date(2026, 1, 1))
    assert set(flags) == {world.secretary.pk, world.deputy.pk, world.member.pk}
    assert flags[world.deputy.pk].appraisal_id == second.pk
    assert not flags[world.deputy.pk].below_approval
    with django_assert_num_queries(1):
        flags = appraisal_flags(cadre_ids=[world.deputy.pk], since=datetime.date(2026, 6, 1))
    assert list(flags) == [world.deputy.pk]
    assert appraisal_flags(since=datetime.date(2026, 6, 2)) == {}
    # With only the first round closed since then, it is the latest.
    TeamAppraisalResult.objects.filter(appraisal=second).delete()
    flag = appraisal_flags(cadre_ids=[world.deputy.pk], since=datetime.date(2026, 1, 1))[
        world.deputy.pk
    ]
    assert (flag.appraisal_id, flag.closed_on, flag.approval) == (
        first.pk,
        datetime.date(2026, 3, 1),
        Decimal("0.0000"),
    )
    assert flag.below_approval and not flag.above_unfit


def test_close_is_audited_and_only_by_the_cadre_section(world, opened, town_a_user):
    appraisal, codes = opened()
    _cast(appraisal, codes, "班子成员", ["competent"], world.deputy)
    from django.http import Http404

    with pytest.raises(Http404):
        services.appraisal_close(actor=town_a_user, appraisal=appraisal)
    with pytest.raises(Http404):
        services.appraisal_close(actor=world.leader, appraisal=appraisal)
    services.appraisal_close(actor=world.staff, appraisal=appraisal)
    log = AuditLog.objects.filter(action=AuditAction.UPDATE).get()
    assert log.after["status"] == "closed" and log.actor == world.staff
    assert (log.after["approval_min"], log.after["unfit_max"]) == ("2/3", "1/3")
    # A ballot's log row names no voter and no address.
    ballot_log = AuditLog.objects.get(message="收到一张无记名测评票")
    assert ballot_log.actor is None and ballot_log.ip is None


def test_audit_rows_are_the_audit_administrators_only(world, opened, county_user, auditor_user):
    from zuzhi.core.selectors import audit_list

    appraisal, codes = opened()
    _cast(appraisal, codes, "班子成员", ["competent"], world.deputy)
    services.appraisal_close(actor=world.staff, appraisal=appraisal)
    ours = "team_appraisal."
    assert not audit_list(user=county_user).filter(target_type__startswith=ours).exists()
    assert audit_list(user=auditor_user).filter(target_type__startswith=ours).count() == 3
