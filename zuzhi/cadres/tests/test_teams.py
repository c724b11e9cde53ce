"""Leadership teams (班子配备): posts and seats, appointments and their end, vacancies,
structure against targets, and who sees and writes what."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from zuzhi.cadres import team_selectors as sel
from zuzhi.cadres import team_services as svc
from zuzhi.cadres.models import (
    LeadershipTeam,
    PostHolding,
    TargetKind,
    TeamKind,
    TeamPost,
    TeamTarget,
)
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.testing.factories import make_cadre, user_with_role, valid_id_number

D = datetime.date


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def cadre(org, name, seq, *, female=False, **fields):
    # The 17th digit of the ID number gives the gender: odd is a man, even a woman.
    number = valid_id_number(sequence=seq * 2 + (0 if female else 1))
    return make_cadre(org, name=name, id_number=number, **fields)


@pytest.fixture
def officer(county):
    return user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer")


@pytest.fixture
def committee(county, officer):
    return svc.team_create(
        actor=officer,
        organization=county.town_a,
        kind=TeamKind.TOWNSHIP_COMMITTEE,
        established_on=D(2024, 1, 1),
    )


def post_of(team, title) -> TeamPost:
    return team.posts.get(title=title)


# --- teams and posts -------------------------------------------------------------------------
def test_a_team_gets_its_default_posts_and_the_township_word(committee, county, officer):
    titles = list(committee.posts.values_list("title", flat=True))
    assert titles[:3] == ["书记", "副书记（镇长）", "副书记"]
    assert "组织委员" in titles and "统战委员" in titles
    gov = svc.team_create(
        actor=officer, organization=county.town_b, kind=TeamKind.TOWNSHIP_GOVERNMENT
    )
    assert gov.name == "城郊乡人民政府"
    assert [(p.title, p.seats) for p in gov.posts.all()] == [("乡长", 1), ("副乡长", 3)]
    unit = svc.team_create(actor=officer, organization=county.unit, kind=TeamKind.COUNTY_UNIT)
    assert unit.name == "县教育局"
    assert (
        AuditLog.objects.filter(
            action=AuditAction.CREATE, target_type="cadres.leadershipteam"
        ).count()
        == 3
    )


def test_a_second_team_of_the_same_kind_is_refused(committee, county, officer):
    with pytest.raises(ValidationError, match="已设有乡镇党委班子"):
        svc.team_create(actor=officer, organization=county.town_a, kind=TeamKind.TOWNSHIP_COMMITTEE)


def test_a_township_team_on_a_county_unit_is_refused(county, officer):
    with pytest.raises(ValidationError, match="只能设在乡镇"):
        svc.team_create(actor=officer, organization=county.unit, kind=TeamKind.TOWNSHIP_GOVERNMENT)


# --- appointments, seats and vacancies -------------------------------------------------------
def test_appointing_fills_the_seat_and_copies_the_post_text(committee, county, officer):
    post = post_of(committee, "书记")
    assert post.vacant_since == D(2024, 1, 1)  # vacant since the team was set up
    wang = cadre(county.town_a, "王书记", 1, current_post="")
    holding = svc.post_appoint(actor=officer, post=post, cadre=wang, start=D(2024, 3, 1))
    post.refresh_from_db()
    wang.refresh_from_db()
    assert post.vacant_since is None
    assert holding.title == "城关镇党委书记"
    assert wang.current_post == "城关镇党委书记"
    log = AuditLog.objects.get(action=AuditAction.CREATE, target_type="cadres.postholding")
    assert log.after["current_post"] == ["", "城关镇党委书记"]


def test_a_full_post_refuses_another_appointment(committee, county, officer):
    post = post_of(committee, "书记")
    svc.post_appoint(
        actor=officer, post=post, cadre=cadre(county.town_a, "甲", 1), start=D(2024, 3, 1)
    )
    with pytest.raises(ValidationError, match="城关镇党委书记职数已满（1名）"):
        svc.post_appoint(
            actor=officer, post=post, cadre=cadre(county.town_a, "乙", 2), start=D(2024, 3, 1)
        )
    assert post.holdings.count() == 1


def test_a_post_of_three_seats_takes_three(county, officer):
    gov = svc.team_create(
        actor=officer, organization=county.town_a, kind=TeamKind.TOWNSHIP_GOVERNMENT
    )
    post = post_of(gov, "副镇长")
    for i in range(3):
        svc.post_appoint(
            actor=officer, post=post, cadre=cadre(county.town_a, f"副{i}", i), start=D(2024, 1, 1)
        )
        post.refresh_from_db()
        assert (post.vacant_since is None) == (i == 2)
    with pytest.raises(ValidationError, match="职数已满（3名）"):
        svc.post_appoint(
            actor=officer, post=post, cadre=cadre(county.town_a, "副3", 3), start=D(2024, 1, 1)
        )


def test_ending_a_holding_makes_the_post_vacant_from_the_end_date(committee, county, officer):
    post = post_of(committee, "组织委员")
    li = cadre(county.town_a, "李委员", 1)
    holding = svc.post_appoint(actor=officer, post=post, cadre=li, start=D(2023, 5, 1))
    svc.holding_end(actor=officer, holding=holding, end=D(2025, 9, 30))
    post.refresh_from_db()
    li.refresh_from_db()
    assert post.vacant_since == D(2025, 9, 30)
    assert li.current_post == ""
    log = AuditLog.objects.get(action=AuditAction.UPDATE, target_type="cadres.postholding")
    assert log.before == {"end": None}
    assert log.after["end"] == "2025-09-30"
    # Filled again, the vacancy is cleared; its start date is not kept for the next one.
    svc.post_appoint(
        actor=officer, post=post, cadre=cadre(county.town_a, "新委员", 2), start=D(2025, 12, 1)
    )
    post.refresh_from_db()
    assert post.vacant_since is None


def test_a_second_vacancy_keeps_the_date_of_the_first(county, officer):
    gov = svc.team_create(
        actor=officer, organization=county.town_a, kind=TeamKind.TOWNSHIP_GOVERNMENT
    )
    post = post_of(gov, "副镇长")
    holdings = [
        svc.post_appoint(
            actor=officer, post=post, cadre=cadre(county.town_a, f"副{i}", i), start=D(2022, 1, 1)
        )
        for i in range(3)
    ]
    svc.holding_end(actor=officer, holding=holdings[0], end=D(2024, 6, 1))
    svc.holding_end(actor=officer, holding=holdings[1], end=D(2025, 6, 1))
    post.refresh_from_db()
    assert post.vacant_since == D(2024, 6, 1)


def test_end_before_start_or_after_today_is_refused(committee, county, officer):
    holding = svc.post_appoint(
        actor=officer,
        post=post_of(committee, "书记"),
        cadre=cadre(county.town_a, "甲", 1),
        start=D(2024, 3, 1),
    )
    with pytest.raises(ValidationError, match="不能早于任职时间"):
        svc.holding_end(actor=officer, holding=holding, end=D(2024, 2, 29))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        svc.holding_end(
            actor=officer, holding=holding, end=timezone.localdate() + datetime.timedelta(days=1)
        )
    svc.holding_end(actor=officer, holding=holding, end=D(2024, 3, 1))  # the same day is fine
    with pytest.raises(ValidationError, match="已经结束"):
        svc.holding_end(actor=officer, holding=holding, end=D(2024, 3, 2))


def test_the_same_cadre_twice_on_a_post_is_refused(county, officer):
    gov = svc.team_create(
        actor=officer, organization=county.town_a, kind=TeamKind.TOWNSHIP_GOVERNMENT
    )
    post, zhang = post_of(gov, "副镇长"), cadre(county.town_a, "张", 1)
    svc.post_appoint(actor=officer, post=post, cadre=zhang, start=D(2024, 1, 1))
    with pytest.raises(ValidationError, match="张已担任"):
        svc.post_appoint(actor=officer, post=post, cadre=zhang, start=D(2024, 2, 1))


def test_two_posts_make_one_current_post_text(county, officer, committee):
    gov = svc.team_create(
        actor=officer, organization=county.town_a, kind=TeamKind.TOWNSHIP_GOVERNMENT
    )
    zhao = cadre(county.town_a, "赵", 1)
    svc.post_appoint(
        actor=officer, post=post_of(committee, "副书记（镇长）"), cadre=zhao, start=D(2024, 1, 1)
    )
    svc.post_appoint(actor=officer, post=post_of(gov, "镇长"), cadre=zhao, start=D(2024, 2, 1))
    zhao.refresh_from_db()
    assert zhao.current_post == "城关镇党委副书记（镇长）、城关镇人民政府镇长"


# --- who writes ------------------------------------------------------------------------------
def _denied() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


@pytest.mark.parametrize("who", ["town_a_user", "county_user"])
def test_only_the_cadre_section_writes(who, request, committee, county):
    user = request.getfixturevalue(who)
    post = post_of(committee, "书记")
    wang = cadre(county.town_a, "王", 1)
    before = _denied()
    with pytest.raises(Http404):
        svc.post_appoint(actor=user, post=post, cadre=wang, start=D(2024, 1, 1))
    with pytest.raises(Http404):
        svc.team_create(actor=user, organization=county.town_b, kind=TeamKind.TOWNSHIP_COMMITTEE)
    assert _denied() == before + 2
    assert not PostHolding.objects.exists()


def test_a_township_cadre_section_does_not_write_another_township(county, committee):
    town_b_officer = user_with_role(Role.CADRE_STAFF, county.town_b, username="officer_b")
    with pytest.raises(Http404):
        svc.post_appoint(
            actor=town_b_officer,
            post=post_of(committee, "书记"),
            cadre=cadre(county.town_b, "乙", 1),
            start=D(2024, 1, 1),
        )


def test_ending_is_refused_to_township_staff(committee, county, officer, town_a_user):
    holding = svc.post_appoint(
        actor=officer,
        post=post_of(committee, "书记"),
        cadre=cadre(county.town_a, "甲", 1),
        start=D(2024, 1, 1),
    )
    before = _denied()
    with pytest.raises(Http404):
        svc.holding_end(actor=town_a_user, holding=holding, end=D(2024, 6, 1))
    assert _denied() == before + 1
    holding.refresh_from_db()
    assert holding.end is None


# --- who sees --------------------------------------------------------------------------------
def test_township_staff_see_their_own_townships_teams_only(county, officer, town_a_user):
    a = svc.team_create(actor=officer, organization=county.town_a, kind=TeamKind.TOWNSHIP_COMMITTEE)
    b = svc.team_create(actor=officer, organization=county.town_b, kind=TeamKind.TOWNSHIP_COMMITTEE)
    assert [r.team for r in sel.team_list(user=town_a_user)] == [a]
    before = _denied()
    with pytest.raises(Http404):
        sel.team_get(user=town_a_user, pk=b.pk)
    assert _denied() == before + 1


def test_county_staff_see_the_teams_of_their_data_scope(county, officer, county_user):
    svc.team_create(actor=officer, organization=county.town_a, kind=TeamKind.TOWNSHIP_COMMITTEE)
    svc.team_create(actor=officer, organization=county.unit, kind=TeamKind.COUNTY_UNIT)
    assert len(sel.team_list(user=county_user)) == 2
    branch = user_with_role(Role.BRANCH_SECRETARY, county.village_a1, username="b1")
    assert sel.team_list(user=branch) == []


def test_the_roster_shows_name_post_rank_age_education_gender_only(committee, county, officer):
    wang = cadre(
        county.town_a,
        "王芳",
        1,
        female=True,
        birth_date=years_ago(40),
        education="21",
        rank="principal_1",
    )
    svc.post_appoint(
        actor=officer, post=post_of(committee, "书记"), cadre=wang, start=D(2024, 1, 1)
    )
    row = sel.team_roster(team=committee)[0]
    assert (row.name, row.rank, row.age, row.gender) == ("王芳", "一级主任科员", 40, "女")
    assert row.post.title == "书记"
    assert not hasattr(row, "id_number")
    # Every other post is an empty seat of the roster.
    assert all(r.name == "" for r in sel.team_roster(team=committee)[1:])


# --- structure and targets -------------------------------------------------------------------
def _target(kind, value, parameter="", team_kind=""):
    return TeamTarget.objects.create(
        kind=kind, value=value, parameter=parameter, team_kind=team_kind, label="目标"
    )


def _fill(team, people):
    posts = list(team.posts.all())
    for post, person in zip(posts, people, strict=False):
        svc.post_appoint(actor=svc_actor(), post=post, cadre=person, start=D(2024, 1, 1))


def svc_actor():
    from zuzhi.core.scope import SYSTEM

    return SYSTEM


def test_age_exactly_35_counts_as_35_and_under(committee, county):
    _target(TargetKind.MIN_UNDER_AGE, 1, "35")
    on_birthday = cadre(county.town_a, "满35", 1, birth_date=years_ago(35))
    _fill(committee, [on_birthday])
    structure = sel.team_structure(team=committee)
    assert structure.missing == []
    assert dict(structure.structure["age"])["35岁及以下"] == 1


def test_the_day_before_the_36th_birthday_still_counts_as_35(committee, county):
    _target(TargetKind.MIN_UNDER_AGE, 1, "35")
    born = years_ago(36) + datetime.timedelta(days=1)
    _fill(committee, [cadre(county.town_a, "将满36", 1, birth_date=born)])
    assert sel.team_structure(team=committee).missing == []
    assert sel.team_roster(team=committee)[0].age == 35


def test_on_the_36th_birthday_the_under_35_target_is_missed(committee, county):
    _target(TargetKind.MIN_UNDER_AGE, 1, "35")
    _fill(committee, [cadre(county.town_a, "满36", 1, birth_date=years_ago(36))])
    structure = sel.team_structure(team=committee)
    assert structure.missing == ["缺少35岁及以下干部"]
    assert dict(structure.structure["age"])["36～45岁"] == 1


def test_a_share_exactly_at_the_target_passes(committee, county):
    _target(TargetKind.MIN_COLLEGE_SHARE, 60)
    people = [cadre(county.town_a, f"本{i}", i, education="21") for i in range(3)]
    people += [cadre(county.town_a, f"专{i}", 10 + i, education="31") for i in range(2)]
    _fill(committee, people)  # 3 of 5 = 60 %
    assert sel.team_structure(team=committee).missing == []
    svc.post_appoint(
        actor=svc_actor(),
        post=post_of(committee, "武装部长"),
        cadre=cadre(county.town_a, "专9", 19, education="41"),
        start=D(2024, 1, 1),
    )  # 3 of 6 = 50 %
    assert sel.team_structure(team=committee).missing == ["本科及以上学历占比低于60%（现为50%）"]


def test_structure_counts_women_education_minority_and_specialties(committee, county):
    _target(TargetKind.MIN_WOMEN, 1)
    _target(TargetKind.MIN_MINORITY, 1)
    _target(TargetKind.MIN_SPECIALTY, 1, "懂法律")
    people = [
        cadre(county.town_a, "甲", 1, education="11", specialties="熟悉经济、懂法律"),
        cadre(county.town_a, "乙", 2, education="21", ethnicity="03", specialties="熟悉经济"),
        cadre(county.town_a, "丙", 3, education="31", specialties="懂法律学"),
    ]
    _fill(committee, people)
    result = sel.team_structure(team=committee)
    s = result.structure
    assert s["total"] == 3
    assert dict(s["gender"]) == {"男": 3, "女": 0}
    assert dict(s["education"]) == {"研究生": 1, "本科": 1, "专科及以下": 1, "未填写": 0}
    assert (s["college_label"], s["college"]) == ("本科及以上", 2)
    assert s["minority"] == 1
    assert dict(result.specialties) == {"熟悉经济": 2, "懂法律": 1, "懂法律学": 1}
    assert result.missing == ["缺少女性干部"]  # 懂法律 is met by 甲; 懂法律学 is another tag


def test_a_target_for_another_kind_of_team_does_not_apply(committee, county):
    _target(TargetKind.MIN_WOMEN, 1, team_kind=TeamKind.COUNTY_UNIT)
    _fill(committee, [cadre(county.town_a, "甲", 1)])
    assert sel.team_structure(team=committee).missing == []


def test_the_list_filters_teams_missing_a_target_or_with_a_vacancy(county, officer, committee):
    _target(TargetKind.MIN_WOMEN, 1)
    unit = svc.team_create(
        actor=officer,
        organization=county.unit,
        kind=TeamKind.COUNTY_UNIT,
        posts=[svc.PostDefault("局长", 1, "")],
    )
    svc.post_appoint(
        actor=officer,
        post=post_of(unit, "局长"),
        cadre=cadre(county.unit, "女局长", 1, female=True),
        start=D(2024, 1, 1),
    )
    rows = {r.team: r for r in sel.team_list(user=officer)}
    assert rows[committee].missing == ["缺少女性干部"]
    assert rows[unit].missing == [] and rows[unit].vacancies == []
    assert [r.team for r in sel.team_list(user=officer, missing=True)] == [committee]
    assert [r.team for r in sel.team_list(user=officer, vacant=True)] == [committee]
    assert [r.team for r in sel.team_list(user=officer, kind=TeamKind.COUNTY_UNIT)] == [unit]


def test_the_list_counts_in_a_fixed_number_of_queries(county, officer, django_assert_num_queries):
    for org in (county.town_a, county.town_b):
        for kind in (TeamKind.TOWNSHIP_COMMITTEE, TeamKind.TOWNSHIP_GOVERNMENT):
            team = svc.team_create(actor=officer, organization=org, kind=kind)
            for i, post in enumerate(team.posts.all()[:2]):
                svc.post_appoint(
                    actor=officer,
                    post=post,
                    cadre=cadre(org, "干部", TeamPost.objects.count() * 10 + i),
                    start=D(2024, 1, 1),
                )
    officer = type(officer).objects.get(pk=officer.pk)
    with django_assert_num_queries(5):  # role assignments, teams, counts, vacancies, targets
        rows = sel.team_list(user=officer)
    assert len(rows) == 4 and all(r.structure["total"] == 2 for r in rows)


def test_county_structure_counts_a_cadre_in_two_teams_once(county, officer, committee):
    _target(TargetKind.MIN_WOMEN, 1)
    gov = svc.team_create(
        actor=officer, organization=county.town_a, kind=TeamKind.TOWNSHIP_GOVERNMENT
    )
    zhao = cadre(county.town_a, "赵", 1, female=True)
    svc.post_appoint(
        actor=officer, post=post_of(committee, "副书记（镇长）"), cadre=zhao, start=D(2024, 1, 1)
    )
    svc.post_appoint(actor=officer, post=post_of(gov, "镇长"), cadre=zhao, start=D(2024, 1, 1))
    result = sel.county_structure(user=officer)
    assert result["structure"]["total"] == 1
    assert result["teams"] == 2 and result["teams_missing"] == 0


# --- targets ---------------------------------------------------------------------------------
def test_default_targets_load_once(officer):
    created = svc.team_targets_load_defaults(actor=officer)
    assert [t.kind for t in created] == [
        "min_women",
        "min_under_age",
        "min_under_age",
        "min_college_share",
    ]
    assert svc.team_targets_load_defaults(actor=officer) == []


def test_targets_are_the_cadre_sections_to_set(town_a_user, officer):
    with pytest.raises(Http404):
        svc.team_target_create(
            actor=town_a_user, data={"kind": "min_women", "value": 1, "label": "女"}
        )
    with pytest.raises(ValidationError, match="请填写年龄"):
        svc.team_target_create(
            actor=officer, data={"kind": "min_under_age", "value": 1, "label": "年轻"}
        )
    target = svc.team_target_create(
        actor=officer, data={"kind": "min_college_share", "value": 70, "label": "本科70%"}
    )
    svc.team_target_update(actor=officer, target=target, data={"is_active": False})
    assert not TeamTarget.objects.get().is_active
    assert LeadershipTeam.objects.count() == 0


def test_a_post_text_names_the_unit_without_the_partys_prefix(county):
    county.town_a.name = "中共示范县城关镇党委"
    assert svc.default_team_name(kind="township_committee", organization=county.town_a) == (
        "示范县城关镇党委"
    )
    assert svc.default_team_name(kind="township_government", organization=county.town_a) == (
        "示范县城关镇人民政府"
    )


def test_a_branch_secretary_does_not_see_the_team_of_the_unit_their_branch_is(county):
    from zuzhi.core.scope import SYSTEM

    team = svc.team_create(actor=SYSTEM, organization=county.unit, kind="county_unit")
    secretary = user_with_role(Role.BRANCH_SECRETARY, county.unit)
    assert not LeadershipTeam.objects.visible_to(secretary).filter(pk=team.pk).exists()
    assert (
        LeadershipTeam.objects.visible_to(user_with_role(Role.COUNTY_STAFF, county.county))
        .filter(pk=team.pk)
        .exists()
    )
