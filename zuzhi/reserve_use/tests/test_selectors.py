import datetime

from django.urls import reverse

from zuzhi.core.scope import SYSTEM
from zuzhi.recruitment import selectors as recruitment_selectors
from zuzhi.recruitment.models import Candidate, Stage
from zuzhi.recruitment.services import candidate_apply
from zuzhi.reserve_use import selectors as sel
from zuzhi.reserve_use import services
from zuzhi.reserve_use.models import ElectedBody
from zuzhi.reserves.lifecycle import reserve_exit
from zuzhi.testing.factories import make_member, valid_id_number

from .factories import make_pool_reserves

DAY = datetime.date(2026, 3, 1)


def _apply(org, name, number, applied_on):
    return candidate_apply(
        actor=SYSTEM,
        organization=org,
        applied_on=applied_on,
        data={"name": name, "id_number": number, "ethnicity": "01"},
    )


def test_recruitment_puts_a_reserve_applicant_first_with_the_badge(
    county, town_a_user, pool_reserve, client_as
):
    _apply(
        county.village_a1,
        "早申请",
        valid_id_number(birth="19950101", sequence=3),
        DAY.replace(year=2025),
    )
    reserve = pool_reserve(county.village_a1)
    applicant = _apply(county.village_a1, reserve.name, reserve.id_number, DAY)
    names = [c.name for c in recruitment_selectors.candidate_list(user=town_a_user)]
    assert names == [reserve.name, "早申请"]
    assert [c.is_reserve for c in recruitment_selectors.candidate_list(user=town_a_user)] == [
        True,
        False,
    ]
    page = client_as(town_a_user).get(reverse("recruitment:list")).content.decode()
    assert page.count("后备力量</span>") == 1
    assert page.index(reserve.name) < page.index("早申请")
    # Counts by stage are unchanged by the ordering.
    assert ("applicant", "入党申请人", 2) in recruitment_selectors.candidate_stage_counts(
        user=town_a_user
    )
    # Out of the pool (exited), no longer a priority.
    reserve_exit(actor=town_a_user, candidate=reserve, reason="外出务工")
    first = recruitment_selectors.candidate_list(user=town_a_user).first()
    assert first.name == "早申请" and applicant.pk != first.pk


def test_not_applied_lists_reserves_neither_members_nor_applicants(
    county, county_user, town_a_user
):
    plain, applied, member, withdrew, town_b = make_pool_reserves(
        county,
        [county.village_a1] * 4 + [county.village_b1],
        county_user=county_user,
    )
    _apply(county.village_a1, applied.name, applied.id_number, DAY)
    # Admitted into the Party after nomination: found by ID number though not linked.
    make_member(
        county.village_a1,
        id_number=member.id_number,
        join_date=datetime.date(2025, 7, 1),
        full_date=None,
        status="probationary",
    )
    _apply(county.village_a1, withdrew.name, withdrew.id_number, DAY)
    Candidate.objects.filter(id_number=withdrew.id_number).update(stage=Stage.WITHDRAWN)
    rows = list(sel.reserves_not_applied(user=town_a_user))
    assert [(c.pk, c.withdrew) for c in rows] == [(plain.pk, False), (withdrew.pk, True)]
    assert {c.pk for c in sel.reserves_not_applied(user=county_user)} == {
        plain.pk,
        withdrew.pk,
        town_b.pk,
    }


def test_the_county_count_of_reserves_who_became_village_cadres(
    county, county_user, town_a_user, town_b_user, django_assert_max_num_queries
):
    a1, a2, a3, b1 = make_pool_reserves(
        county,
        [county.village_a1, county.village_a1, county.village_a2, county.village_b1],
        county_user=county_user,
    )
    services.election_record(
        actor=town_a_user,
        village=county.village_a1,
        held_on=DAY,
        elected=[
            services.ElectedInput(a1, ElectedBody.VILLAGE_COMMITTEE, "chair"),
            services.ElectedInput(a2, ElectedBody.VILLAGE_COMMITTEE, "member"),
        ],
    )
    reserve_exit(actor=town_b_user, candidate=b1, reason="本人不愿意")
    with django_assert_max_num_queries(3):
        table = sel.appointed_by_township(user=county_user)
    assert [(r["township"], r["appointed"], r["in_pool"]) for r in table] == [
        (county.town_a, 2, 1),
        (county.town_b, 0, 0),
    ]
    assert [
        (r["township"], r["appointed"]) for r in sel.appointed_by_township(user=town_b_user)
    ] == [(county.town_b, 0)]


def test_only_reserves_in_the_pool_come_first_in_recruitment(county, town_a_user, county_user):
    from zuzhi.reserves.services import candidate_create

    _apply(county.village_a1, "早申请", valid_id_number(birth="19950101", sequence=3), DAY)
    nominee = candidate_create(
        actor=county_user,
        data={
            "village": county.village_a1,
            "name": "刚推荐",
            "id_number": valid_id_number(birth="19930101", sequence=5),
            "source": "graduate",
            "discovery": "organization",
        },
    )
    _apply(county.village_a1, nominee.name, nominee.id_number, DAY + datetime.timedelta(days=1))
    names = [c.name for c in recruitment_selectors.candidate_list(user=town_a_user)]
    assert names == ["早申请", "刚推荐"]
