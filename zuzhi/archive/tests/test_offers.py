"""Entries offered from star ratings and from the supervision file (建议记入档案): a rise or a
fall of a unit's confirmed star level goes to the chiefs of its team, an open discipline
record to the cadre's own archive; each is accepted once or dismissed for good, and a
cadre section sees its own cadres' offers only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zuzhi.archive import offers, services
from zuzhi.archive.models import ArchiveEntry, OfferDismissal
from zuzhi.cadres.team_services import post_appoint, team_create
from zuzhi.core.errors import RuleRefused
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.orgs.models import UnitCategory
from zuzhi.ratings.models import StarScheme
from zuzhi.ratings.services import award_confirm, award_propose, award_withdraw
from zuzhi.testing.factories import (
    OrganizationFactory,
    make_cadre,
    user_with_role,
    valid_id_number,
)

THIS = str(timezone.localdate().year)
LAST = str(timezone.localdate().year - 1)
START = datetime.date(2025, 1, 5)


@pytest.fixture
def branch_scheme(db):
    """十星级党支部: rates every Party branch, a county unit's included, once a year."""
    return StarScheme.objects.get(code="ten-star-branch")


@pytest.fixture
def raters(county, county_user):
    """A county staffer proposes and a second one confirms (never the same person)."""
    return county_user, user_with_role(Role.COUNTY_STAFF, county.county, username="confirmer")


def rate(raters, scheme, organization, period: str, level: int):
    stars = list(scheme.stars.order_by("position")[:level])
    proposed = [
        award_propose(
            actor=raters[0], star=star, period=period, subject=organization, evidence="考察意见"
        )
        for star in stars
    ]
    return award_confirm(actor=raters[1], awards=proposed) if proposed else []


_sequence = iter(range(100, 999))


def unit_team(organization):
    """A team on the unit with a chief (局长) and a deputy (副局长) appointed."""
    team = team_create(actor=SYSTEM, organization=organization, kind="county_unit")
    chief = make_cadre(
        organization,
        name=f"{organization.code}正职",
        id_number=valid_id_number(sequence=next(_sequence)),
    )
    deputy = make_cadre(
        organization,
        name=f"{organization.code}副职",
        id_number=valid_id_number(sequence=next(_sequence)),
    )
    post_appoint(actor=SYSTEM, post=team.posts.get(title="局长（主任）"), cadre=chief, start=START)
    post_appoint(
        actor=SYSTEM, post=team.posts.get(title="副局长（副主任）"), cadre=deputy, start=START
    )
    return chief, deputy


def star_key(scheme, organization, period: str = THIS) -> dict:
    return {"source_type": "ratings.level", "source_id": f"{scheme.pk}:{period}:{organization.pk}"}


def offered(user=None) -> list[tuple]:
    return [(o.cadre.name, o.kind, o.text) for o in offers.star_offers(user=user)]


# --- star ratings ---------------------------------------------------------------------------


def test_a_rise_is_offered_as_an_honour_to_the_chief_not_the_deputy(
    county, staff, raters, branch_scheme
):
    chief, deputy = unit_team(county.unit)
    rate(raters, branch_scheme, county.unit, LAST, 3)
    rate(raters, branch_scheme, county.unit, THIS, 4)
    assert offered(staff) == [
        (
            chief.name,
            "honour",
            f"县教育局党组织 {THIS} 年度 十星级党支部 由三星升为四星（县教育局局长（主任））",
        )
    ]
    entry = services.archive_offer_accept(
        actor=staff, cadre=chief, **star_key(branch_scheme, county.unit)
    )
    assert (entry.source, entry.kind, entry.category) == ("star_rating", "honour", "星级评定")
    assert entry.date == timezone.localdate()
    assert offered(staff) == []
    # Accepted once: neither the offer nor a second accept comes back.
    with pytest.raises(RuleRefused, match="没有给该干部的建议条目"):
        services.archive_offer_accept(
            actor=staff, cadre=chief, **star_key(branch_scheme, county.unit)
        )
    with pytest.raises(RuleRefused):
        services.archive_offer_accept(
            actor=staff, cadre=deputy, **star_key(branch_scheme, county.unit)
        )
    assert ArchiveEntry.objects.filter(source="star_rating").count() == 1


def test_a_fall_is_offered_as_a_ranking_result_and_a_dismissal_holds(
    county, staff, raters, branch_scheme
):
    chief, _ = unit_team(county.unit)
    rate(raters, branch_scheme, county.unit, LAST, 4)
    rate(raters, branch_scheme, county.unit, THIS, 2)
    [offer] = offers.star_offers(user=staff)
    assert (offer.cadre, offer.kind) == (chief, "ranking")
    assert offer.text.startswith(f"县教育局党组织 {THIS} 年度 十星级党支部 由四星降为二星")
    services.archive_offer_dismiss(actor=staff, cadre=chief, **star_key(branch_scheme, county.unit))
    assert offers.star_offers(user=staff) == []
    assert OfferDismissal.objects.get().source == "star_rating"
    with pytest.raises(RuleRefused):
        services.archive_offer_accept(
            actor=staff, cadre=chief, **star_key(branch_scheme, county.unit)
        )


def test_no_change_or_an_unsettled_period_offers_nothing(county, staff, raters, branch_scheme):
    unit_team(county.unit)
    rate(raters, branch_scheme, county.unit, LAST, 3)
    rate(raters, branch_scheme, county.unit, THIS, 3)
    assert offers.star_offers(user=staff) == []
    # A fourth star still waiting for the county: the level is not settled yet.
    award_propose(
        actor=raters[0],
        star=branch_scheme.stars.get(position=4),
        period=THIS,
        subject=county.unit,
        evidence="考察意见",
    )
    assert offers.star_offers(user=staff) == []


def test_a_fall_to_no_star_counts_once_the_county_withdrew_them(
    county, staff, raters, branch_scheme
):
    chief, _ = unit_team(county.unit)
    rate(raters, branch_scheme, county.unit, LAST, 2)
    # Nothing rated this year yet: not a fall.
    assert offers.star_offers(user=staff) == []
    [award] = rate(raters, branch_scheme, county.unit, THIS, 1)
    award_withdraw(actor=raters[1], award=award, reason="复核不达标")
    [offer] = offers.star_offers(user=staff)
    assert offer.cadre == chief and "由二星降为无星" in offer.text


def test_a_schemes_first_period_is_no_rise(county, staff, raters, branch_scheme):
    unit_team(county.unit)
    rate(raters, branch_scheme, county.unit, THIS, 3)
    assert offers.star_offers(user=staff) == []


def test_star_offer_queries_do_not_grow_with_the_organizations(
    county, staff, raters, branch_scheme, django_assert_max_num_queries
):
    def add_units(start: int, count: int):
        for i in range(start, start + count):
            unit = OrganizationFactory(
                parent=county.county,
                code=f"U{i}",
                name=f"县直单位{i}党支部",
                unit_category=UnitCategory.PUBLIC_INSTITUTION,
            )
            unit_team(unit)
            rate(raters, branch_scheme, unit, LAST, 2 + i % 3)
            rate(raters, branch_scheme, unit, THIS, 2 + i % 3 + (1 if i % 2 else -1))

    add_units(10, 1)
    with CaptureQueriesContext(connection) as one:
        assert len(offers.star_offers(user=staff)) == 1
    add_units(11, 6)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(offers.star_offers(user=staff)) == 7


# --- discipline records ---------------------------------------------------------------------


def file_record(staff, cadre, kind: str, text: str = "违反中央八项规定精神"):
    return services.supervision_record(
        actor=staff,
        cadre=cadre,
        kind=kind,
        date=datetime.date(2026, 3, 2),
        source="县纪委监委",
        text=text,
    )


def test_an_open_discipline_record_is_offered_as_a_fault_to_the_cadre(staff, cadre):
    record = file_record(staff, cadre, "party_discipline")
    file_record(staff, cadre, "negative_list", "群众反映")  # not a discipline kind
    [offer] = offers.discipline_offers(user=staff)
    assert (offer.cadre, offer.kind, offer.category) == (cadre, "fault", "党纪处分")
    assert offer.text == "党纪处分：违反中央八项规定精神（县纪委监委，2026-03-02）"
    key = {"source_type": "archive.supervisionrecord", "source_id": str(record.pk)}
    entry = services.archive_offer_accept(actor=staff, cadre=cadre, **key)
    assert (entry.source, entry.kind, entry.date) == ("discipline", "fault", record.date)
    assert offers.discipline_offers(user=staff) == []
    with pytest.raises(RuleRefused):
        services.archive_offer_accept(actor=staff, cadre=cadre, **key)
    # Excused afterwards: the accepted entry stays (the ledger is append-only).
    services.supervision_decide(actor=staff, record=record, status="excused", reason="容错")
    assert ArchiveEntry.objects.filter(source="discipline").count() == 1


def test_an_excused_or_cleared_record_is_not_offered(staff, cadre):
    excused = file_record(staff, cadre, "admonishment")
    services.supervision_decide(actor=staff, record=excused, status="excused", reason="容错")
    cleared = file_record(staff, cadre, "government_sanction")
    services.supervision_decide(actor=staff, record=cleared, status="cleared", reason="不实")
    file_record(staff, cadre, "investigation")  # not a finding: not offered
    assert offers.discipline_offers(user=staff) == []
    with pytest.raises(RuleRefused):
        services.archive_offer_accept(
            actor=staff,
            cadre=cadre,
            source_type="archive.supervisionrecord",
            source_id=str(excused.pk),
        )
    assert not ArchiveEntry.objects.exists()


# --- scope and the quarter page -------------------------------------------------------------


def township_units(county):
    return [
        OrganizationFactory(
            parent=town,
            code=f"{town.code}H",
            name=f"{town.name[:3]}卫生院党支部",
            unit_category=UnitCategory.PUBLIC_INSTITUTION,
        )
        for town in (county.town_a, county.town_b)
    ]


def test_a_township_cadre_section_sees_its_own_offers_only(
    county, staff, raters, branch_scheme, cadre, other_cadre, client_as
):
    unit_a, unit_b = township_units(county)
    chief_a, _ = unit_team(unit_a)
    chief_b, _ = unit_team(unit_b)
    for unit in (unit_a, unit_b):
        rate(raters, branch_scheme, unit, LAST, 1)
        rate(raters, branch_scheme, unit, THIS, 2)
    file_record(staff, cadre, "admonishment")  # 张三, town B
    record_a = file_record(staff, other_cadre, "admonishment")  # 李四, town A
    town_a_section = user_with_role(Role.CADRE_STAFF, county.town_a, username="cadre_a")

    assert {o.cadre for o in offers.pending_offers(user=town_a_section)} == {
        chief_a,
        other_cadre,
    }
    assert {o.cadre for o in offers.pending_offers(user=staff)} == {
        chief_a,
        chief_b,
        cadre,
        other_cadre,
    }
    page = client_as(town_a_section).get(reverse("archive:quarter")).text
    assert "城关镇卫生院党支部" in page and "李四" in page
    assert "城郊乡卫生院党支部" not in page and "张三" not in page

    # Another township's cadre: the logged 404, and nothing recorded.
    denied = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    response = client_as(town_a_section).post(
        reverse("archive:cadre_offer_accept", args=[chief_b.pk]),
        star_key(branch_scheme, unit_b),
    )
    assert response.status_code == 404
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == denied + 1
    assert not ArchiveEntry.objects.exists()
    # Its own: accepted from the quarter page, then gone from it.
    response = client_as(town_a_section).post(
        reverse("archive:cadre_offer_accept", args=[other_cadre.pk]),
        {"source_type": "archive.supervisionrecord", "source_id": str(record_a.pk)},
    )
    assert response.status_code == 302 and response.url == reverse("archive:quarter")
    assert ArchiveEntry.objects.get().cadre == other_cadre
    response = client_as(town_a_section).post(
        reverse("archive:cadre_offer_dismiss", args=[chief_a.pk]),
        star_key(branch_scheme, unit_a),
    )
    assert OfferDismissal.objects.get().cadre == chief_a
    page = client_as(town_a_section).get(reverse("archive:quarter")).text
    assert "没有待处理的星级升降或纪律处分建议条目" in page


def test_an_offer_named_wrongly_is_refused_with_a_message(county, staff, cadre, client_as):
    file_record(staff, cadre, "admonishment")
    response = client_as(staff).post(
        reverse("archive:cadre_offer_accept", args=[cadre.pk]),
        {"source_type": "ratings.level", "source_id": "1:x:2"},
        follow=True,
    )
    assert "没有给该干部的建议条目" in response.text
    assert not ArchiveEntry.objects.exists()
