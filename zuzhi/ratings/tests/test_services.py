from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.ratings.models import AwardStatus, StarAward, StarQuota
from zuzhi.ratings.selectors import subject_levels
from zuzhi.ratings.services import (
    award_confirm,
    award_propose,
    award_withdraw,
    awards_carry_over,
    quota_limit,
    scheme_update,
)

from .helpers import grant, propose, scheme, star


def level_of(user, s, subject, period):
    return subject_levels(user=user, scheme=s, period=period).get(pk=subject.pk).star_level


def test_level_is_the_count_of_confirmed_stars(county, town_a_user, county_user, five_star):
    village = county.village_a1
    awards = propose(town_a_user, five_star, village, "2026", "支部过硬", "产业兴旺", "生态宜居")
    assert level_of(county_user, five_star, village, "2026") == 0
    award_confirm(actor=county_user, awards=awards[:2])
    award_withdraw(actor=town_a_user, award=awards[2], reason="材料不实")
    row = subject_levels(user=county_user, scheme=five_star, period="2026").get(pk=village.pk)
    assert (row.star_level, row.stars_proposed) == (2, 0)
    assert level_of(county_user, five_star, village, "2025") == 0  # each period on its own


def test_township_proposes_only_the_county_confirms(
    county, town_a_user, county_user, county_user_2, branch_a1_user, five_star
):
    (award,) = propose(town_a_user, five_star, county.village_a1, "2026", "产业兴旺")
    with pytest.raises(ValidationError, match="县委组织部确认"):
        award_confirm(actor=town_a_user, awards=[award])
    with pytest.raises(ValidationError, match="没有申报权限"):
        propose(branch_a1_user, five_star, county.village_a1, "2026", "生态宜居")
    award.refresh_from_db()
    assert award.status == AwardStatus.PROPOSED and award.confirmed_by is None
    award_confirm(actor=county_user, awards=[award])
    award.refresh_from_db()
    assert award.status == AwardStatus.CONFIRMED and award.confirmed_by == county_user
    # Four eyes: a star the county proposes is confirmed by someone else.
    (own,) = propose(county_user, five_star, county.village_a2, "2026", "产业兴旺")
    with pytest.raises(ValidationError, match="本人申报"):
        award_confirm(actor=county_user, awards=[own])
    award_confirm(actor=county_user_2, awards=[own])


def test_quota_refuses_the_confirmation_that_exceeds_it(
    county, town_a_user, county_user, five_star, ten_villages
):
    # 10 villages, 5 stars ≤ 10 %: one five-star village.
    first, second = ten_villages[3], ten_villages[4]
    grant(town_a_user, county_user, five_star, first, "2026")
    awards = propose(town_a_user, five_star, second, "2026")
    award_confirm(actor=county_user, awards=awards[:4])  # 4 stars: 4 ≤ 40 % is free
    with pytest.raises(ValidationError, match=r"超出名额.*5 星不超过 10%.*最多 1 个"):
        award_confirm(actor=county_user, awards=awards[4:])
    assert StarAward.objects.get(pk=awards[4].pk).status == AwardStatus.PROPOSED
    # Another period has its own places.
    grant(town_a_user, county_user, five_star, second, "2025")


def test_quota_judges_a_batch_by_where_it_ends(
    county, town_a_user, county_user, five_star, ten_villages
):
    # 3 stars ≤ 30 %: three villages at level 3 fill it ...
    for village in ten_villages[3:6]:
        grant(
            town_a_user, county_user, five_star, village, "2026", "支部过硬", "产业兴旺", "生态宜居"
        )
    fourth = ten_villages[6]
    with pytest.raises(ValidationError, match="3 星不超过 30%"):
        grant(
            town_a_user, county_user, five_star, fourth, "2026", "支部过硬", "产业兴旺", "生态宜居"
        )
    # ... but a batch taking a village straight past level 3 to level 4 is allowed.
    pending = list(StarAward.objects.filter(organization=fourth, status=AwardStatus.PROPOSED))
    more = propose(town_a_user, five_star, fourth, "2026", "平安法治")
    award_confirm(actor=county_user, awards=[*pending, *more])
    assert level_of(county_user, five_star, fourth, "2026") == 4


@pytest.mark.parametrize(
    "subjects,share,limit", [(10, "0.10", 1), (9, "0.10", 0), (25, "0.40", 10), (3, "0.30", 0)]
)
def test_quota_limit_is_rounded_down(subjects, share, limit):
    assert quota_limit(StarQuota(level=5, max_share=Decimal(share)), subjects) == limit


def test_withdrawal_needs_a_reason_and_lowers_the_level(
    county, town_a_user, county_user, five_star
):
    village = county.village_a1
    awards = grant(town_a_user, county_user, five_star, village, "2026", "支部过硬", "平安法治")
    assert level_of(county_user, five_star, village, "2026") == 2
    with pytest.raises(ValidationError, match="撤销原因"):
        award_withdraw(actor=county_user, award=awards[1], reason="  ")
    with pytest.raises(ValidationError, match="只能由县委组织部撤销"):
        award_withdraw(actor=town_a_user, award=awards[1], reason="发生刑事案件")
    award_withdraw(actor=county_user, award=awards[1], reason="发生刑事案件")
    awards[1].refresh_from_db()
    assert awards[1].status == AwardStatus.WITHDRAWN
    assert (awards[1].withdrawal_reason, awards[1].withdrawn_by) == ("发生刑事案件", county_user)
    assert level_of(county_user, five_star, village, "2026") == 1
    with pytest.raises(ValidationError, match="已经撤销"):
        award_withdraw(actor=county_user, award=awards[1], reason="再次")
    # Withdrawn rows stay as history, and the star can be proposed again.
    propose(town_a_user, five_star, village, "2026", "平安法治")
    assert StarAward.objects.filter(organization=village, star__name="平安法治").count() == 2


def test_every_write_is_audited(county, town_a_user, county_user, five_star):
    (award,) = propose(town_a_user, five_star, county.village_a1, "2026", "文明幸福")
    award_confirm(actor=county_user, awards=[award])
    award_withdraw(actor=county_user, award=award, reason="群众反映强烈")
    rows = list(
        AuditLog.objects.filter(target_type="ratings.staraward", target_id=str(award.pk)).order_by(
            "pk"
        )
    )
    assert [r.action for r in rows] == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.UPDATE]
    created, confirmed, withdrawn = rows
    assert created.actor == town_a_user and created.after["status"] == "proposed"
    assert created.org_path == county.village_a1.path
    assert confirmed.before["status"] == "proposed" and confirmed.after["status"] == "confirmed"
    assert withdrawn.before["status"] == "confirmed" and withdrawn.after["status"] == "withdrawn"
    assert withdrawn.after["withdrawal_reason"] == "群众反映强烈"


def test_out_of_scope_is_not_found_and_logged(county, town_a_user, town_b_user, five_star):
    with pytest.raises(Http404):
        propose(town_b_user, five_star, county.village_a1, "2026", "产业兴旺")
    (award,) = propose(town_a_user, five_star, county.village_a1, "2026", "产业兴旺")
    with pytest.raises(Http404):
        award_withdraw(actor=town_b_user, award=award, reason="越权")
    with pytest.raises(Http404):
        award_confirm(actor=town_b_user, awards=[award])
    assert (
        AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=town_b_user).count()
        == 3
    )
    assert StarAward.objects.get().status == AwardStatus.PROPOSED


def test_proposal_rules(county, town_a_user, county_user, five_star):
    industry = star(five_star, "产业兴旺")
    propose(town_a_user, five_star, county.village_a1, "2026", "产业兴旺")
    with pytest.raises(ValidationError, match="已经申报或已评定"):
        propose(town_a_user, five_star, county.village_a1, "2026", "产业兴旺")
    with pytest.raises(ValidationError, match="尚未开始"):
        propose(town_a_user, five_star, county.village_a1, "2099", "产业兴旺")
    with pytest.raises(ValidationError, match="格式"):
        propose(town_a_user, five_star, county.village_a1, "2026Q1", "产业兴旺")
    with pytest.raises(ValidationError, match="评定依据"):
        award_propose(
            actor=town_a_user, star=industry, period="2026", subject=county.village_a2, evidence=""
        )
    # Five stars rate villages, not a county unit's branch; ten stars rate every branch.
    with pytest.raises(ValidationError, match="评定范围"):
        propose(county_user, five_star, county.unit, "2026", "产业兴旺")
    propose(county_user, scheme("ten-star-branch"), county.unit, "2026", "班子坚强")


def test_carry_over_proposes_last_years_stars_again(
    county, town_a_user, town_b_user, county_user, five_star
):
    grant(town_a_user, county_user, five_star, county.village_a1, "2025", "支部过硬", "产业兴旺")
    grant(town_b_user, county_user, five_star, county.village_b1, "2025", "支部过硬")
    propose(town_a_user, five_star, county.village_a1, "2026", "支部过硬")
    assert awards_carry_over(actor=town_a_user, scheme=five_star, period="2026") == 1
    carried = StarAward.objects.get(period="2026", star__name="产业兴旺")
    assert carried.status == AwardStatus.PROPOSED and carried.organization == county.village_a1
    assert not StarAward.objects.filter(period="2026", organization=county.village_b1).exists()
    assert awards_carry_over(actor=town_a_user, scheme=five_star, period="2026") == 0
    assert AuditLog.objects.filter(
        target_type="ratings.staraward", target_id=str(carried.pk), action=AuditAction.CREATE
    ).exists()


def test_scheme_update_renames_stars_and_sets_quotas(county_user, town_a_user, db):
    s = scheme("ten-star-member")
    names = [f"星{i}" for i in range(1, 11)]
    with pytest.raises(Http404):
        scheme_update(actor=town_a_user, scheme=s, star_names=names, quotas={})
    with pytest.raises(ValidationError, match="不能超过 100%"):
        scheme_update(
            actor=county_user,
            scheme=s,
            star_names=names,
            quotas={10: Decimal("0.6"), 9: Decimal("0.5")},
        )
    with pytest.raises(ValidationError, match="不能重复"):
        scheme_update(actor=county_user, scheme=s, star_names=["同名"] * 10, quotas={})
    # Swapping two names is a rename, not a clash.
    swapped = [s.stars.get(position=2).name, s.stars.get(position=1).name, *names[2:]]
    scheme_update(actor=county_user, scheme=s, star_names=swapped, quotas={10: Decimal("0.05")})
    assert list(s.stars.values_list("name", flat=True))[:3] == swapped[:3]
    assert [(q.level, q.max_share) for q in s.quotas.all()] == [(10, Decimal("0.050"))]
    log = AuditLog.objects.get(target_type="ratings.starscheme", action=AuditAction.UPDATE)
    assert log.after["quotas"] == {"10": "0.050"} and log.before["quotas"] == {}
