"""Reserve use with encrypted ID numbers (issue 19): the village committee roster shows masks
without decrypting; the matches between reserves, members and recruitment candidates run in
SQL, blind index to blind index, and decrypt nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from zuzhi.core import crypto
from zuzhi.core.scope import SYSTEM
from zuzhi.recruitment import selectors as recruitment_selectors
from zuzhi.recruitment.services import candidate_apply
from zuzhi.reserve_use import selectors as sel
from zuzhi.reserve_use import services
from zuzhi.reserve_use.models import ElectedBody, VillageCommitteeMember
from zuzhi.testing.factories import make_member

from .factories import make_pool_reserves

DAY = datetime.date(2026, 3, 1)


def _elect(actor, village, reserve, position="member"):
    return services.election_record(
        actor=actor,
        village=village,
        held_on=DAY,
        elected=[services.ElectedInput(reserve, ElectedBody.VILLAGE_COMMITTEE, position)],
    )


def test_the_roster_and_the_not_applied_list_decrypt_nothing(
    county, town_a_user, client_as, api_as, pool_reserve
):
    elected, waiting = (
        pool_reserve(county.village_a1, sequence=910),
        pool_reserve(county.village_a1, sequence=911, phone="13912345678"),
    )
    _elect(town_a_user, county.village_a1, elected)
    term = VillageCommitteeMember.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM reserve_use_villagecommitteemember")
        assert crypto.is_sealed(cursor.fetchone()[0])
    masked = term.id_number_masked
    count = crypto.decryptions()
    client = client_as(town_a_user)
    roster = client.get(reverse("reserve_use:village_committee", args=[county.village_a1.pk]))
    assert masked in roster.content.decode() and "********" in masked
    page = client.get(reverse("reserve_use:not_applied")).content.decode()
    assert waiting.id_number_masked in page and "139****5678" in page
    items = api_as(town_a_user).get("/api/reserve-use/not-applied").json()["items"]
    assert [(r["id"], r["phone"]) for r in items] == [(waiting.pk, "139****5678")]
    assert client.get(reverse("reserve_use:assignments_export")).status_code == 200
    assert crypto.decryptions() == count


def test_not_applied_and_the_reserve_badge_match_by_blind_index_in_sql(
    county, county_user, town_a_user, django_assert_num_queries
):
    """No number is read into Python: the lists are single queries whose subqueries compare
    the blind indexes of members, candidates and reserves."""
    plain, admitted, applied = make_pool_reserves(
        county, [county.village_a1] * 3, county_user=county_user
    )
    make_member(
        county.village_a1,
        id_number=admitted.id_number,
        join_date=datetime.date(2025, 7, 1),
        full_date=None,
        status="probationary",
    )
    candidate_apply(
        actor=SYSTEM,
        organization=county.village_a1,
        applied_on=DAY,
        data={"name": applied.name, "id_number": applied.id_number, "ethnicity": "01"},
    )
    count = crypto.decryptions()
    query = sel.reserves_not_applied(user=town_a_user)
    sql = str(query.query)
    assert sql.count("id_number_index") >= 6 and '"id_number" =' not in sql
    with django_assert_num_queries(1):
        assert [c.pk for c in query] == [plain.pk]
    with django_assert_num_queries(1):
        badges = [c.is_reserve for c in recruitment_selectors.candidate_list(user=town_a_user)]
    assert badges == [True]
    assert crypto.decryptions() == count


def test_the_full_number_finds_the_term_and_one_current_term_per_village(
    county, town_a_user, pool_reserve
):
    reserve = pool_reserve(county.village_a1)
    _elect(town_a_user, county.village_a1, reserve)
    term = VillageCommitteeMember.objects.get(id_number=reserve.id_number)
    assert term.from_reserve_id == reserve.pk and term.id_number == reserve.id_number
    twin = VillageCommitteeMember(
        village=county.village_a1,
        name=reserve.name,
        id_number=reserve.id_number,
        position="chair",
        started_on=DAY,
    )
    with pytest.raises(ValidationError, match="此人已在本村村民委员会任职"):
        twin.validate_constraints()
    twin.village = county.village_a2
    twin.validate_constraints()
