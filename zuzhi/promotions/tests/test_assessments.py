import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from zuzhi.cadres.models import AnnualAssessment
from zuzhi.core.models import AuditLog
from zuzhi.promotions import rules, services


def _round(world, cadre, n, org=None):
    people = [cadre(f"干部{i}", org=org) for i in range(n)]
    round_ = services.assessment_round_open(
        actor=world.staff, organization=org or world.unit, year=2025
    )
    return round_, people


def test_the_cap_is_a_fifth_rounded_down():
    assert rules.excellent_limit(cadres=10, share="0.20") == 2
    assert rules.excellent_limit(cadres=9, share="0.20") == 1
    assert rules.excellent_limit(cadres=5, share="0.20") == 1
    assert rules.excellent_limit(cadres=4, share="0.20") == 0


def test_exactly_the_cap_passes_and_one_more_is_refused(world, cadre):
    round_, people = _round(world, cadre, 10)
    services.assessment_grades_set(
        actor=world.staff,
        round_=round_,
        grades={people[0].pk: "excellent", people[1].pk: "excellent", people[2].pk: "competent"},
    )
    with pytest.raises(ValidationError, match="优秀最多 2 名"):
        services.assessment_grades_set(
            actor=world.staff, round_=round_, grades={people[3].pk: "excellent"}
        )
    assert AnnualAssessment.objects.filter(year=2025, result="excellent").count() == 2
    assert not AnnualAssessment.objects.filter(cadre=people[3]).exists()
    # Giving the place up lets another take it.
    services.assessment_grades_set(
        actor=world.staff,
        round_=round_,
        grades={people[1].pk: "competent", people[3].pk: "excellent"},
    )
    assert set(
        AnnualAssessment.objects.filter(result="excellent").values_list("cadre", flat=True)
    ) == {people[0].pk, people[3].pk}


def test_a_unit_of_four_has_no_excellent_place(world, cadre):
    round_, people = _round(world, cadre, 4)
    with pytest.raises(ValidationError, match="优秀最多 0 名"):
        services.assessment_grades_set(
            actor=world.staff, round_=round_, grades={people[0].pk: "excellent"}
        )


@override_settings(ZUZHI_EXCELLENT_SHARE="0.25")
def test_the_share_is_a_setting_kept_by_the_round(world, cadre):
    round_, people = _round(world, cadre, 4)
    services.assessment_grades_set(
        actor=world.staff, round_=round_, grades={people[0].pk: "excellent"}
    )


def test_grades_are_written_through_the_registry_and_audited(world, cadre):
    round_, people = _round(world, cadre, 2)
    services.assessment_grades_set(
        actor=world.staff, round_=round_, grades={p.pk: "competent" for p in people}
    )
    assert AnnualAssessment.objects.filter(year=2025, result="competent").count() == 2
    assert (
        AuditLog.objects.filter(target_type="cadres.cadre", message="2025 年度考核结果").count()
        == 2
    )


def test_only_the_units_cadres_and_only_while_open(world, cadre):
    round_, people = _round(world, cadre, 2)
    stranger = cadre("外单位", org=world.county.town_a)
    with pytest.raises(ValidationError, match="本单位在职干部"):
        services.assessment_grades_set(
            actor=world.staff, round_=round_, grades={stranger.pk: "competent"}
        )
    with pytest.raises(ValidationError, match="未确定等次"):
        services.assessment_round_close(actor=world.staff, round_=round_)
    services.assessment_grades_set(
        actor=world.staff, round_=round_, grades={p.pk: "competent" for p in people}
    )
    services.assessment_round_close(actor=world.staff, round_=round_)
    with pytest.raises(ValidationError, match="已结束"):
        services.assessment_grades_set(
            actor=world.staff, round_=round_, grades={people[0].pk: "excellent"}
        )


def test_one_round_per_unit_and_year(world):
    services.assessment_round_open(actor=world.staff, organization=world.unit, year=2025)
    with pytest.raises(ValidationError, match="已经开始"):
        services.assessment_round_open(actor=world.staff, organization=world.unit, year=2025)
