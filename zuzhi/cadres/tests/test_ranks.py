"""Ranks (职级): the 2019 rules at their boundaries, the county's quotas, who may write."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models.query import QuerySet
from hypothesis import given
from hypothesis import strategies as st

from zuzhi.cadres import rank_rules, rank_selectors, rank_services
from zuzhi.cadres.models import Cadre, Rank, RankGrant, StaffGrade, UnitEstablishment
from zuzhi.cadres.rank_rules import QuotaGroup
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.testing.factories import make_cadre, user_with_role, valid_id_number

D = datetime.date


@pytest.fixture
def staff(county):
    return user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer")


def _cadre(org, n=0, **fields):
    return make_cadre(org, name=f"干部{n}", id_number=valid_id_number(sequence=100 + n), **fields)


def _grant(staff, cadre, rank, on, **kw):
    return rank_services.rank_grant(actor=staff, cadre=cadre, rank=rank, reached_on=on, **kw)


def _denials():
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


# --- the rules as data -----------------------------------------------------------------------
def test_rank_order_runs_from_clerk_to_inspector_one_step_at_a_time():
    assert rank_rules.rank_below(Rank.CLERK_2) is None
    assert rank_rules.rank_above(Rank.CLERK_2) == Rank.CLERK_1
    assert rank_rules.rank_above(Rank.CLERK_1) == Rank.PRINCIPAL_4
    assert rank_rules.rank_above(Rank.PRINCIPAL_1) == Rank.RESEARCHER_4
    assert rank_rules.rank_above(Rank.RESEARCHER_1) == Rank.INSPECTOR_2
    assert rank_rules.rank_above(Rank.INSPECTOR_1) is None
    assert set(rank_rules.RANK_ORDER) == set(Rank)


def test_minimum_years_are_two_except_the_three_named():
    assert rank_rules.minimum_years(Rank.RESEARCHER_1) == 3
    assert rank_rules.minimum_years(Rank.INSPECTOR_2) == 4
    assert rank_rules.minimum_years(Rank.INSPECTOR_1) == 4
    others = set(Rank) - {Rank.RESEARCHER_1, Rank.INSPECTOR_2, Rank.INSPECTOR_1}
    assert {rank_rules.minimum_years(r) for r in others} == {2}


def test_quota_groups_are_the_county_shares():
    assert rank_rules.quota_group(Rank.RESEARCHER_2) is QuotaGroup.RESEARCHER_2
    assert rank_rules.quota_group(Rank.RESEARCHER_3) is QuotaGroup.RESEARCHER_3_4
    assert rank_rules.quota_group(Rank.RESEARCHER_4) is QuotaGroup.RESEARCHER_3_4
    for r in (Rank.PRINCIPAL_1, Rank.PRINCIPAL_2, Rank.PRINCIPAL_3, Rank.PRINCIPAL_4):
        assert rank_rules.quota_group(r) is QuotaGroup.PRINCIPAL
    for r in (Rank.CLERK_1, Rank.CLERK_2, Rank.RESEARCHER_1, Rank.INSPECTOR_1):
        assert rank_rules.quota_group(r) is None


def test_quota_rounds_down_to_whole_people():
    assert rank_rules.quota(QuotaGroup.RESEARCHER_2, 49) == 0  # 0.98
    assert rank_rules.quota(QuotaGroup.RESEARCHER_2, 50) == 1
    assert rank_rules.quota(QuotaGroup.RESEARCHER_3_4, 45) == 4  # 4.5
    assert rank_rules.quota(QuotaGroup.PRINCIPAL, 45) == 27
    assert rank_rules.quota(QuotaGroup.PRINCIPAL, 7) == 4  # 4.2


@given(posts=st.integers(min_value=0, max_value=100_000), group=st.sampled_from(list(QuotaGroup)))
def test_quota_is_the_largest_whole_number_within_the_share(posts, group):
    q = rank_rules.quota(group, posts)
    assert q * 100 <= posts * group.percent < (q + 1) * 100


dates = st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31))


@given(since=dates, on=dates, years=st.sampled_from([2, 3, 4]))
def test_eligibility_cutoff_is_the_twin_of_the_earliest_promotion(since, on, years):
    """The database filter `since <= cutoff(on)` says the same as the readable rule."""
    assert (since <= rank_rules.served_since_cutoff(on, years)) == (
        rank_rules.add_years(since, years) <= on
    )


@given(since=dates, rank=st.sampled_from(rank_rules.RANK_ORDER[1:]))
def test_promotion_is_allowed_on_the_day_and_refused_the_day_before(since, rank):
    below = rank_rules.rank_below(rank)
    earliest = rank_rules.earliest_promotion(since, rank)
    ok = rank_rules.promotion_refusal(current=below, current_since=since, rank=rank, on=earliest)
    assert ok is None
    early = earliest - datetime.timedelta(days=1)
    refused = rank_rules.promotion_refusal(current=below, current_since=since, rank=rank, on=early)
    assert "任职满" in refused


def test_leap_day_counts_to_the_first_of_march():
    assert rank_rules.earliest_promotion(D(2020, 2, 29), Rank.CLERK_1) == D(2022, 3, 1)


# --- granting a rank -------------------------------------------------------------------------
def test_first_rank_is_recorded_without_the_minimum_years(county, staff):
    cadre = _cadre(county.town_a)
    grant = _grant(staff, cadre, Rank.CLERK_1, D(2024, 1, 1))
    cadre.refresh_from_db()
    assert (cadre.rank, cadre.rank_since) == (Rank.CLERK_1, D(2024, 1, 1))
    assert grant.granted_by == staff


def test_two_years_to_the_day_passes_one_day_less_refused(county, staff):
    cadre = _cadre(county.town_a)
    _grant(staff, cadre, Rank.CLERK_2, D(2020, 3, 15))
    with pytest.raises(ValidationError, match="晋升一级科员应在二级科员任职满2年.*2022-03-15"):
        _grant(staff, cadre, Rank.CLERK_1, D(2022, 3, 14))
    _grant(staff, cadre, Rank.CLERK_1, D(2022, 3, 15))
    cadre.refresh_from_db()
    assert cadre.rank == Rank.CLERK_1


@pytest.mark.parametrize(
    ("below", "rank", "years"),
    [
        (Rank.RESEARCHER_2, Rank.RESEARCHER_1, 3),
        (Rank.RESEARCHER_1, Rank.INSPECTOR_2, 4),
        (Rank.INSPECTOR_2, Rank.INSPECTOR_1, 4),
    ],
)
def test_the_longer_minimum_years_at_their_boundary(county, staff, below, rank, years):
    _unit_with_posts(staff, county.town_a, 100)
    cadre = _cadre(county.town_a)
    _grant(staff, cadre, below, D(2018, 6, 1))
    with pytest.raises(ValidationError, match=f"任职满{years}年"):
        _grant(staff, cadre, rank, D(2018 + years, 5, 31))
    _grant(staff, cadre, rank, D(2018 + years, 6, 1))


def test_skipping_a_rank_is_refused(county, staff):
    cadre = _cadre(county.town_a)
    _grant(staff, cadre, Rank.CLERK_2, D(2015, 1, 1))
    with pytest.raises(ValidationError, match="逐级晋升.*上一级为一级科员"):
        _grant(staff, cadre, Rank.PRINCIPAL_4, D(2020, 1, 1))


def test_same_or_lower_rank_is_not_a_promotion(county, staff):
    cadre = _cadre(county.town_a)
    _grant(staff, cadre, Rank.CLERK_1, D(2015, 1, 1))
    for rank in (Rank.CLERK_1, Rank.CLERK_2):
        with pytest.raises(ValidationError, match="不高于现职级"):
            _grant(staff, cadre, rank, D(2020, 1, 1))


def test_an_imported_rank_counts_as_the_rank_below(county, staff):
    """A record that came with a rank (an appointment form) promotes from it."""
    cadre = _cadre(county.town_a, rank=Rank.CLERK_2, rank_since=D(2023, 1, 1))
    with pytest.raises(ValidationError, match="任职满2年"):
        _grant(staff, cadre, Rank.CLERK_1, D(2024, 6, 1))
    # Recording the imported rank itself is allowed, and keeps its date as given.
    _grant(staff, cadre, Rank.CLERK_2, D(2022, 12, 1))
    _grant(staff, cadre, Rank.CLERK_1, D(2024, 12, 1))


def test_a_future_date_is_refused(county, staff):
    cadre = _cadre(county.town_a)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        _grant(staff, cadre, Rank.CLERK_2, D(2100, 1, 1))


def test_a_grant_is_audited_with_the_current_rank_before_and_after(county, staff):
    cadre = _cadre(county.town_a)
    grant = _grant(staff, cadre, Rank.CLERK_2, D(2020, 1, 1), document="县委组〔2020〕1号")
    row = AuditLog.objects.get(target_type="cadres.rankgrant", target_id=str(grant.pk))
    assert row.action == AuditAction.CREATE
    assert row.org_path == county.town_a.path
    assert row.before == {"cadre": {"rank": "", "rank_since": ""}}
    assert row.after["cadre"] == {"rank": "clerk_2", "rank_since": "2020-01-01"}
    assert row.after["document"] == "县委组〔2020〕1号"


# --- quotas ---------------------------------------------------------------------------------
def _unit_with_posts(staff, org, posts):
    return rank_services.establishment_set(actor=staff, organization=org, posts=posts)


def test_quota_exactly_reached_refuses_the_next_grant(county, staff):
    _unit_with_posts(staff, county.town_a, 50)  # 二级调研员: 50 × 2 % = 1
    first, second = _cadre(county.town_a, 1), _cadre(county.town_a, 2)
    _grant(staff, first, Rank.RESEARCHER_2, D(2024, 1, 1))
    with pytest.raises(
        ValidationError, match="二级调研员职数已满.*编制 50 名，职数 1 名.*已有 1 名"
    ):
        _grant(staff, second, Rank.RESEARCHER_2, D(2024, 1, 1))
    assert not RankGrant.objects.filter(cadre=second).exists()


def test_a_share_below_one_person_allows_nobody(county, staff):
    _unit_with_posts(staff, county.town_a, 49)  # 0.98 → 0
    with pytest.raises(ValidationError, match="职数 0 名"):
        _grant(staff, _cadre(county.town_a), Rank.RESEARCHER_2, D(2024, 1, 1))


def test_a_unit_without_posts_set_cannot_grant_a_quota_rank(county, staff):
    with pytest.raises(ValidationError, match="尚未设置公务员编制数"):
        _grant(staff, _cadre(county.town_a), Rank.PRINCIPAL_4, D(2024, 1, 1))
    # Ranks without a county quota need no establishment.
    _grant(staff, _cadre(county.town_a, 2), Rank.CLERK_1, D(2024, 1, 1))


def test_promotion_within_a_full_group_takes_no_new_place(county, staff):
    _unit_with_posts(staff, county.town_a, 10)  # 三级+四级调研员: 1
    cadre = _cadre(county.town_a)
    _grant(staff, cadre, Rank.RESEARCHER_4, D(2020, 1, 1))
    _grant(staff, cadre, Rank.RESEARCHER_3, D(2022, 1, 1))
    with pytest.raises(ValidationError, match="三级、四级调研员职数已满"):
        _grant(staff, _cadre(county.town_a, 2), Rank.RESEARCHER_4, D(2024, 1, 1))


def test_inactive_cadres_and_other_units_do_not_count(county, staff):
    _unit_with_posts(staff, county.town_a, 50)
    _unit_with_posts(staff, county.unit, 50)
    _grant(staff, _cadre(county.unit, 1), Rank.RESEARCHER_2, D(2024, 1, 1))
    gone = _cadre(county.town_a, 2)
    _grant(staff, gone, Rank.RESEARCHER_2, D(2024, 1, 1))
    Cadre.objects.filter(pk=gone.pk).update(is_active=False)
    _grant(staff, _cadre(county.town_a, 3), Rank.RESEARCHER_2, D(2024, 1, 1))


def test_the_last_place_is_taken_under_the_establishment_lock(county, staff, monkeypatch):
    """Concurrency by construction: the unit's establishment row is locked (SELECT … FOR
    UPDATE) before the holders are counted, so a second grant racing for the last place
    waits and then counts the first one."""
    _unit_with_posts(staff, county.town_a, 50)
    cadre = _cadre(county.town_a)
    events = []
    lock, count = QuerySet.select_for_update, QuerySet.count

    def spy_lock(self, *args, **kwargs):
        events.append(("lock", self.model))
        return lock(self, *args, **kwargs)

    def spy_count(self):
        events.append(("count", self.model))
        return count(self)

    monkeypatch.setattr(QuerySet, "select_for_update", spy_lock)
    monkeypatch.setattr(QuerySet, "count", spy_count)
    _grant(staff, cadre, Rank.RESEARCHER_2, D(2024, 1, 1))
    assert events.index(("lock", UnitEstablishment)) < events.index(("count", Cadre))


# --- correcting and deleting ------------------------------------------------------------------
def test_delete_falls_back_to_the_rank_before_and_is_audited(county, staff):
    cadre = _cadre(county.town_a)
    _grant(staff, cadre, Rank.CLERK_2, D(2018, 1, 1))
    wrong = _grant(staff, cadre, Rank.CLERK_1, D(2020, 1, 1))
    rank_services.rank_grant_delete(actor=staff, grant=wrong)
    cadre.refresh_from_db()
    assert (cadre.rank, cadre.rank_since) == (Rank.CLERK_2, D(2018, 1, 1))
    row = AuditLog.objects.get(action=AuditAction.DELETE, target_type="cadres.rankgrant")
    assert row.before["rank"] == "clerk_1" and row.after["cadre"]["rank"] == "clerk_2"


def test_correction_keeps_the_minimum_years_on_both_sides(county, staff):
    _unit_with_posts(staff, county.town_a, 10)
    cadre = _cadre(county.town_a)
    low = _grant(staff, cadre, Rank.CLERK_2, D(2016, 1, 1))
    mid = _grant(staff, cadre, Rank.CLERK_1, D(2018, 1, 1))
    _grant(staff, cadre, Rank.PRINCIPAL_4, D(2020, 1, 1))
    with pytest.raises(ValidationError, match="最早为 2018-01-01"):
        rank_services.rank_grant_correct(
            actor=staff, grant=mid, reached_on=D(2017, 12, 31), document=""
        )
    with pytest.raises(ValidationError, match="四级主任科员"):
        rank_services.rank_grant_correct(
            actor=staff, grant=mid, reached_on=D(2018, 1, 2), document=""
        )
    rank_services.rank_grant_correct(
        actor=staff, grant=low, reached_on=D(2015, 6, 1), document="文1"
    )
    low.refresh_from_db()
    assert (low.reached_on, low.document) == (D(2015, 6, 1), "文1")
    assert AuditLog.objects.filter(action=AuditAction.UPDATE, target_id=str(low.pk)).exists()


def test_staff_grade_sits_beside_the_rank(county, staff):
    cadre = _cadre(county.town_a)
    rank_services.staff_grade_set(
        actor=staff, cadre=cadre, grade=StaffGrade.GRADE_6, reached_on=D(2019, 1, 1)
    )
    rank_services.staff_grade_set(
        actor=staff, cadre=cadre, grade=StaffGrade.GRADE_5, reached_on=D(2023, 1, 1)
    )
    cadre.refresh_from_db()
    assert (cadre.staff_grade, cadre.staff_grade_since) == (StaffGrade.GRADE_5, D(2023, 1, 1))
    assert AuditLog.objects.filter(target_type="cadres.staffgradegrant").count() == 2


# --- who may write --------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF])
def test_township_and_county_staff_cannot_grant(county, role):
    user = user_with_role(role, county.county if role == Role.COUNTY_STAFF else county.town_a)
    cadre = _cadre(county.town_a)
    before = _denials()
    with pytest.raises(Exception, match="未找到该对象"):
        _grant(user, cadre, Rank.CLERK_2, D(2020, 1, 1))
    assert _denials() == before + 1
    assert not RankGrant.objects.exists()
    with pytest.raises(Exception, match="未找到该对象"):
        rank_services.establishment_set(actor=user, organization=county.town_a, posts=10)
    assert not UnitEstablishment.objects.exists()


def test_a_cadre_cannot_grant_themself_a_rank(county, client_as):
    me = user_with_role(Role.BRANCH_SECRETARY, county.village_a1, username="cadre1")
    cadre = _cadre(county.town_a, user=me)
    client = client_as(me)
    assert client.get(f"/cadres/{cadre.pk}/ranks/").status_code == 200  # own history
    before = _denials()
    response = client.post(
        f"/cadres/{cadre.pk}/ranks/grant/", {"rank": Rank.CLERK_1, "reached_on": "2020-01-01"}
    )
    assert response.status_code == 404
    assert _denials() == before + 1
    assert not RankGrant.objects.exists()


def test_cadre_section_of_another_township_cannot_grant(county):
    other = user_with_role(Role.CADRE_STAFF, county.town_b, username="cadre_b")
    with pytest.raises(Exception, match="未找到该对象"):
        _grant(other, _cadre(county.town_a), Rank.CLERK_2, D(2020, 1, 1))


@pytest.mark.parametrize("url", ["/cadres/ranks/quotas/", "/cadres/ranks/eligible/"])
def test_rank_pages_are_the_cadre_sections_only(county, county_user, client_as, url):
    before = _denials()
    assert client_as(county_user).get(url).status_code == 404
    assert _denials() == before + 1


# --- reading ---------------------------------------------------------------------------------
def test_quota_table_is_one_grouped_query_for_the_county(
    county, staff, django_assert_max_num_queries
):
    _unit_with_posts(staff, county.town_a, 50)
    _unit_with_posts(staff, county.unit, 10)
    for n in range(4):
        _grant(staff, _cadre(county.town_a, n), Rank.PRINCIPAL_4, D(2024, 1, 1))
    _grant(staff, _cadre(county.town_b, 9), Rank.CLERK_1, D(2024, 1, 1))
    with django_assert_max_num_queries(4):  # the roles, posts, grouped counts, unit names
        rows = rank_selectors.unit_quotas(user=staff)
    by_name = {r.name: r for r in rows}
    town_a = by_name[county.town_a.name]
    principal = {u.group: u for u in town_a.uses}[QuotaGroup.PRINCIPAL]
    assert (town_a.posts, principal.used, principal.quota, principal.free) == (50, 4, 30, 26)
    assert by_name[county.town_b.name].posts is None  # cadres but no posts set: listed
    assert not town_a.over


def test_lowering_posts_below_holders_shows_the_unit_over(county, staff, client_as):
    _unit_with_posts(staff, county.town_a, 50)
    _grant(staff, _cadre(county.town_a), Rank.RESEARCHER_2, D(2024, 1, 1))
    _unit_with_posts(staff, county.town_a, 40)
    [row] = [r for r in rank_selectors.unit_quotas(user=staff) if r.name == county.town_a.name]
    assert row.over
    page = client_as(staff).get("/cadres/ranks/quotas/").content.decode()
    assert 'class="over-quota"' in page and "超职数" in page and "向下取整" in page


def test_eligible_list_by_minimum_years(county, staff, client_as):
    today = datetime.date.today()
    ready = _cadre(county.town_a, 1)
    _grant(staff, ready, Rank.CLERK_1, rank_rules.served_since_cutoff(today, 2))
    waiting = _cadre(county.town_a, 2)
    _grant(
        staff,
        waiting,
        Rank.CLERK_1,
        rank_rules.served_since_cutoff(today, 2) + datetime.timedelta(days=1),
    )
    top = _cadre(county.town_a, 3)
    _grant(staff, top, Rank.INSPECTOR_1, D(2000, 1, 1))
    rows = rank_selectors.promotion_eligible(user=staff, on=today)
    assert [(r.cadre.pk, r.next_rank) for r in rows] == [(ready.pk, Rank.PRINCIPAL_4)]
    page = client_as(staff).get("/cadres/ranks/eligible/").content.decode()
    assert "干部1" in page and "干部2" not in page
    assert "未设置编制数" in page  # the next rank (四级主任科员) has a quota; no posts set


def test_quota_export_is_an_audited_workbook(county, staff, client_as):
    _unit_with_posts(staff, county.town_a, 50)
    response = client_as(staff).get("/cadres/ranks/quotas/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).exists()


def test_grant_page_shows_the_rule_that_refused(county, staff, client_as):
    cadre = _cadre(county.town_a)
    _grant(staff, cadre, Rank.CLERK_2, D(2023, 1, 1))
    client = client_as(staff)
    page = client.get(f"/cadres/{cadre.pk}/ranks/grant/").content.decode()
    assert "上一级为一级科员" in page and "2025-01-01" in page
    response = client.post(
        f"/cadres/{cadre.pk}/ranks/grant/", {"rank": Rank.CLERK_1, "reached_on": "2024-12-31"}
    )
    assert response.status_code == 200
    assert "任职满2年" in response.content.decode()
    response = client.post(
        f"/cadres/{cadre.pk}/ranks/grant/", {"rank": Rank.CLERK_1, "reached_on": "2025-01-01"}
    )
    assert response.status_code == 302


def test_establishment_page_sets_posts(county, staff, client_as):
    client = client_as(staff)
    response = client.post(f"/cadres/ranks/units/{county.town_a.pk}/establishment/", {"posts": 45})
    assert response.status_code == 302
    assert UnitEstablishment.objects.get(organization=county.town_a).posts == 45


# --- API -------------------------------------------------------------------------------------
def test_api_grant_history_and_quotas(county, staff, api_as):
    _unit_with_posts(staff, county.town_a, 50)
    cadre = _cadre(county.town_a)
    api = api_as(staff)
    response = api.post(
        f"/api/cadres/{cadre.pk}/ranks",
        {"rank": "researcher_2", "reached_on": "2024-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    other = _cadre(county.town_a, 2)
    refused = api.post(
        f"/api/cadres/{other.pk}/ranks",
        {"rank": "researcher_2", "reached_on": "2024-01-01"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "职数已满" in refused.json()["errors"]["rank"][0]
    history = api.get(f"/api/cadres/{cadre.pk}/ranks").json()
    assert [(h["rank"], h["rank_label"]) for h in history] == [("researcher_2", "二级调研员")]
    [row] = [
        r for r in api.get("/api/cadres/ranks/quotas").json() if r["name"] == county.town_a.name
    ]
    assert row["groups"][0] == {
        "group": "researcher_2",
        "label": "二级调研员",
        "percent": 2,
        "used": 1,
        "quota": 1,
        "free": 0,
        "over": False,
    }


def test_the_system_grants_too(county):
    """The demo seeder and imports act as the system: no user to record as the grantor."""
    from zuzhi.core.scope import SYSTEM

    grant = _grant(SYSTEM, _cadre(county.town_a), Rank.CLERK_2, D(2020, 1, 1))
    assert grant.granted_by is None
    rank_services.rank_grant_correct(
        actor=SYSTEM, grant=grant, reached_on=D(2019, 1, 1), document=""
    )


def test_history_staff_grade_and_correction_pages(county, staff, client_as):
    cadre = _cadre(county.town_a)
    grant = _grant(staff, cadre, Rank.CLERK_2, D(2020, 1, 1), document="组字1号")
    client = client_as(staff)
    history = client.get(f"/cadres/{cadre.pk}/ranks/").content.decode()
    assert "二级科员" in history and "组字1号" in history and "clerk_2" not in history
    response = client.post(
        f"/cadres/{cadre.pk}/staff-grade/",
        {"grade": StaffGrade.GRADE_7, "reached_on": "2021-01-01"},
    )
    assert response.status_code == 302
    assert "七级职员" in client.get(f"/cadres/{cadre.pk}/ranks/").content.decode()
    page = client.get(f"/cadres/ranks/grants/{grant.pk}/correct/")
    assert page.status_code == 200
    response = client.post(
        f"/cadres/ranks/grants/{grant.pk}/correct/",
        {"reached_on": "2019-05-01", "document": "组字2号"},
    )
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.rank_since == D(2019, 5, 1)
    assert client.post(f"/cadres/ranks/grants/{grant.pk}/delete/").status_code == 302
    cadre.refresh_from_db()
    assert cadre.rank == "" and cadre.rank_since is None


def test_other_sections_do_not_see_a_cadres_ranks(county, county_user, client_as):
    cadre = _cadre(county.town_a)
    before = _denials()
    assert client_as(county_user).get(f"/cadres/{cadre.pk}/ranks/").status_code == 404
    assert _denials() == before + 1


def test_a_move_or_a_return_to_service_does_not_go_past_a_full_quota(county, staff):
    from zuzhi.cadres import services

    _unit_with_posts(staff, county.town_a, 50)  # 二级调研员: 1 place
    _unit_with_posts(staff, county.town_b, 50)
    holder, mover = _cadre(county.town_a, 1), _cadre(county.town_b, 2)
    _grant(staff, holder, Rank.RESEARCHER_2, D(2024, 1, 1))
    _grant(staff, mover, Rank.RESEARCHER_2, D(2024, 1, 1))
    with pytest.raises(ValidationError, match="二级调研员职数已满"):
        services.cadre_move(actor=staff, cadre=mover, organization=county.town_a)
    mover.refresh_from_db()
    assert mover.organization == county.town_b
    services.cadre_update(actor=staff, cadre=holder, data={"is_active": False})
    services.cadre_move(actor=staff, cadre=mover, organization=county.town_a)
    with pytest.raises(ValidationError, match="二级调研员职数已满"):
        services.cadre_update(actor=staff, cadre=holder, data={"is_active": True})
    with pytest.raises(ValidationError, match="不在职"):
        _grant(staff, holder, Rank.RESEARCHER_1, D(2026, 1, 1))
