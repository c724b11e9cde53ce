import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from zuzhi.cadres.models import Cadre, RankGrant
from zuzhi.cadres.rank_services import rank_grant
from zuzhi.core.models import AuditLog
from zuzhi.core.scope import SYSTEM
from zuzhi.promotions import selectors, services
from zuzhi.promotions.models import PromotionDecision, PromotionStatus

from .conftest import CUTOFF, EFFECTIVE


def _round(world, offers):
    return services.promotion_round_create(
        actor=world.staff,
        organization=world.county.county,
        name="2026 年职级晋升",
        cutoff=CUTOFF,
        offers=[(world.unit, rank, places) for rank, places in offers],
    )


def _names(round_, **kwargs):
    return [c.cadre.name for c in selectors.promotion_candidates(round_=round_, **kwargs)]


def test_minimum_years_are_counted_to_the_cutoff_a_day_short_is_out(world, cadre):
    cadre("满两年", rank="principal_2", since=datetime.date(2024, 6, 30))
    cadre("差一天", rank="principal_2", since=datetime.date(2024, 7, 1))
    cadre("满三年", rank="researcher_2", since=datetime.date(2023, 6, 30))
    cadre("三年差一天", rank="researcher_2", since=datetime.date(2023, 7, 1))
    round_ = _round(world, [("principal_1", 5), ("researcher_1", 5)])
    assert sorted(_names(round_)) == sorted(["满两年", "满三年"])


def test_a_barring_grade_in_the_counted_years_leaves_a_cadre_out(world, cadre, grade):
    grade(cadre("去年基本称职"), y2024="competent", y2025="basically")
    grade(cadre("三年前基本称职"), y2023="basically", y2024="competent", y2025="competent")
    grade(cadre("前年不称职"), y2024="incompetent", y2025="excellent")
    grade(cadre("未录入"))
    round_ = _round(world, [("researcher_4", 2)])
    assert sorted(_names(round_)) == sorted(["三年前基本称职", "未录入"])
    refused = {
        c.cadre.name: c.refusal
        for c in selectors.promotion_candidates(round_=round_, include_refused=True)
        if not c.eligible
    }
    assert refused["去年基本称职"].startswith("任职年限内年度考核有2025 年基本称职")
    assert "2024 年不称职" in refused["前年不称职"]


@override_settings(ZUZHI_PROMOTION_BARRING_GRADES=["incompetent"])
def test_the_barring_grades_are_a_setting(world, cadre, grade):
    grade(cadre("基本称职"), y2025="basically")
    assert _names(_round(world, [("researcher_4", 2)])) == ["基本称职"]


def test_the_list_is_sorted_by_record_not_by_seniority(world, cadre, grade):
    senior = cadre("资深", since=datetime.date(2010, 1, 1))
    junior = cadre("后进", since=datetime.date(2024, 1, 1))
    tie = cadre("同分资浅", since=datetime.date(2022, 1, 1))
    grade(senior, y2024="competent", y2025="competent")
    grade(junior, y2024="excellent", y2025="excellent")
    grade(tie, y2024="competent", y2025="competent")
    round_ = _round(world, [("researcher_4", 2)])
    rows = selectors.promotion_candidates(round_=round_)
    assert [c.cadre.name for c in rows] == ["后进", "资深", "同分资浅"]
    assert [c.score for c in rows] == [4, 2, 2]


def open_case(cadre_ids, on):
    return {pk: "有未办结的问题线索" for pk in cadre_ids if Cadre.objects.get(pk=pk).name == "有案"}


@override_settings(ZUZHI_PROMOTION_EXCLUDED="zuzhi.promotions.tests.test_promotions.open_case")
def test_the_negative_case_hook_leaves_a_cadre_out(world, cadre):
    cadre("有案")
    cadre("无案")
    assert _names(_round(world, [("researcher_4", 2)])) == ["无案"]


def test_places_stay_within_the_free_quota(world):
    round_ = _round(world, [("researcher_4", 2)])
    with pytest.raises(ValidationError, match="空余职数 2 名，本轮已安排 0 名，不能再安排 3 名"):
        services.promotion_offer_set(
            actor=world.staff, round_=round_, organization=world.unit, rank="researcher_4", places=3
        )
    with pytest.raises(ValidationError, match="二级调研员空余职数 0 名"):
        services.promotion_offer_set(
            actor=world.staff, round_=round_, organization=world.unit, rank="researcher_2", places=1
        )
    # 四级→三级调研员 stays in the same quota group: it takes no place of it.
    services.promotion_offer_set(
        actor=world.staff, round_=round_, organization=world.unit, rank="researcher_3", places=5
    )
    with pytest.raises(ValidationError, match="尚未设置公务员编制数"):
        services.promotion_offer_set(
            actor=world.staff,
            round_=round_,
            organization=world.county.town_a,
            rank="researcher_4",
            places=1,
        )


def test_decide_promotes_the_selection_and_records_it(world, cadre, grade):
    a, b, c = cadre("甲"), cadre("乙"), cadre("丙")
    round_ = _round(world, [("researcher_4", 2)])
    decisions = services.promotion_decide(
        actor=world.staff,
        round_=round_,
        cadre_ids=[a.pk, b.pk],
        effective_on=EFFECTIVE,
        document="县委组〔2026〕5号",
    )
    assert len(decisions) == 2
    assert set(Cadre.objects.filter(rank="researcher_4").values_list("name", flat=True)) == {
        "甲",
        "乙",
    }
    assert Cadre.objects.get(pk=a.pk).rank_since == EFFECTIVE
    assert RankGrant.objects.filter(document="县委组〔2026〕5号").count() == 2
    round_.refresh_from_db()
    assert round_.status == PromotionStatus.DECIDED
    assert AuditLog.objects.filter(
        target_type="promotions.promotionround", message="职级晋升决定：2 人"
    ).exists()
    with pytest.raises(ValidationError, match="已决定"):
        services.promotion_decide(
            actor=world.staff, round_=round_, cadre_ids=[c.pk], effective_on=EFFECTIVE
        )


def test_more_than_the_places_is_refused(world, cadre):
    people = [cadre(f"干部{i}") for i in range(3)]
    round_ = _round(world, [("researcher_4", 2)])
    with pytest.raises(ValidationError, match="名额 2 名，选择了 3 名"):
        services.promotion_decide(
            actor=world.staff,
            round_=round_,
            cadre_ids=[p.pk for p in people],
            effective_on=EFFECTIVE,
        )
    assert not RankGrant.objects.exists()


def test_one_refused_none_granted(world, cadre):
    a, b, other = cadre("甲"), cadre("乙"), cadre("他人")
    round_ = _round(world, [("researcher_4", 2)])
    # Meanwhile a place of the quota is taken outside the round: the second grant of the
    # sitting is refused by the quota, and the first is undone with it.
    rank_grant(actor=SYSTEM, cadre=other, rank="researcher_4", reached_on=EFFECTIVE)
    with pytest.raises(ValidationError) as refused:
        services.promotion_decide(
            actor=world.staff, round_=round_, cadre_ids=[a.pk, b.pk], effective_on=EFFECTIVE
        )
    assert "职数已满" in str(refused.value) and "本次晋升均未办理" in str(refused.value)
    assert list(RankGrant.objects.values_list("cadre__name", flat=True)) == ["他人"]
    assert Cadre.objects.get(pk=a.pk).rank == "principal_1"
    assert not PromotionDecision.objects.exists()
    round_.refresh_from_db()
    assert round_.status == PromotionStatus.OPEN


def test_a_cadre_not_on_the_list_is_refused(world, cadre, grade):
    barred = cadre("基本称职")
    grade(barred, y2025="basically")
    round_ = _round(world, [("researcher_4", 2)])
    with pytest.raises(ValidationError, match="不在本轮符合条件的人选中：基本称职"):
        services.promotion_decide(
            actor=world.staff, round_=round_, cadre_ids=[barred.pk], effective_on=EFFECTIVE
        )


def test_the_effective_date_is_not_before_the_cutoff(world, cadre):
    a = cadre("甲")
    round_ = _round(world, [("researcher_4", 2)])
    with pytest.raises(ValidationError, match="不能早于"):
        services.promotion_decide(
            actor=world.staff,
            round_=round_,
            cadre_ids=[a.pk],
            effective_on=CUTOFF - datetime.timedelta(days=1),
        )


def test_four_hundred_promotions_in_one_sitting(world, cadre, capsys):
    from zuzhi.cadres.rank_services import establishment_set

    establishment_set(actor=SYSTEM, organization=world.unit, posts=1000)
    people = [
        cadre(f"干部{i:03d}", rank="principal_2", since=datetime.date(2020, 1, 1))
        for i in range(400)
    ]
    round_ = _round(world, [("principal_1", 400)])
    start = time.perf_counter()
    decisions = services.promotion_decide(
        actor=world.staff, round_=round_, cadre_ids=[p.pk for p in people], effective_on=EFFECTIVE
    )
    elapsed = time.perf_counter() - start
    assert len(decisions) == 400
    assert Cadre.objects.filter(rank="principal_1").count() == 400
    with capsys.disabled():
        print(f"\n400 promotions decided in {elapsed:.2f} s")


def test_an_open_record_of_the_supervision_file_bars_the_promotion_until_excused(world, cadre):
    from zuzhi.archive import services as archive

    barred = cadre("有处分")
    cadre("无处分")
    record = archive.supervision_record(
        actor=world.staff,
        cadre=barred,
        kind="party_discipline",
        date=datetime.date(2025, 3, 1),
        source="县纪委",
        text="党内警告",
    )
    assert _names(_round(world, [("researcher_4", 2)])) == ["无处分"]
    archive.supervision_decide(
        actor=world.staff, record=record, status="excused", reason="属于容错情形"
    )
    assert sorted(_names(_round(world, [("researcher_4", 2)]))) == ["无处分", "有处分"]
