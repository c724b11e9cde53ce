import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.reserves import selectors as sel
from zuzhi.reserves import services
from zuzhi.reserves.models import ReserveCandidate, ReserveStatus
from zuzhi.testing.factories import make_cadre, make_member, valid_id_number


def test_member_id_number_links_and_takes_registry_fields(county, town_a_user, make_reserve):
    number = valid_id_number(birth="19780520", sequence=412)
    member = make_member(
        county.village_a1, name="王秀梅", id_number=number, education="21", phone="13800001111"
    )
    c = make_reserve(county.village_a1, id_number=number, name="", phone="", education="")
    assert c.member == member
    assert (c.name, c.education, c.phone) == ("王秀梅", "21", "13800001111")
    assert c.gender == member.gender
    assert c.birth_date == datetime.date(1978, 5, 20)
    row = AuditLog.objects.get(action=AuditAction.CREATE, target_type="reserves.reservecandidate")
    assert row.org_path == county.village_a1.path


def test_cadre_id_number_links_the_cadre(county, make_reserve):
    number = valid_id_number(birth="19850101", sequence=522)
    cadre = make_cadre(county.town_a, name="李明", id_number=number, education="31")
    c = make_reserve(county.village_a1, id_number=number, name="")
    assert c.cadre == cadre and c.member is None
    assert (c.name, c.education) == ("李明", "31")


def test_unknown_id_number_keeps_what_was_typed(county, make_reserve):
    c = make_reserve(county.village_a1, name="陈晓", education="2", phone="13912345678")
    assert c.member is None and c.cadre is None
    assert (c.name, c.education, c.phone) == ("陈晓", "2", "13912345678")


def test_invalid_id_number_refused_in_chinese(county, make_reserve):
    number = valid_id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        make_reserve(county.village_a1, id_number=wrong)
    assert "校验位" in exc.value.message_dict["id_number"][0]


def test_duplicate_open_candidate_refused_exited_may_return(county, make_reserve):
    first = make_reserve(county.village_a1)
    with pytest.raises(ValidationError) as exc:
        make_reserve(county.village_a2, id_number=first.id_number.lower())
    assert "同一人不能重复登记" in exc.value.message_dict["id_number"][0]
    ReserveCandidate.objects.filter(pk=first.pk).update(status=ReserveStatus.EXITED)
    assert make_reserve(county.village_a2, id_number=first.id_number).pk != first.pk


def test_required_fields_and_village_kind(county, make_reserve):
    with pytest.raises(ValidationError) as exc:
        make_reserve(county.town_a, name="", source="", discovery="")
    errors = exc.value.message_dict
    assert set(errors) >= {"village", "name", "source", "discovery"}
    assert "行政村或社区" in errors["village"][0]


def test_age_from_the_id_number(county, make_reserve):
    c = make_reserve(county.village_a1, id_number=valid_id_number(birth="19900610", sequence=7))
    assert sel.age_on(c.birth_date, datetime.date(2026, 6, 9)) == 35
    assert sel.age_on(c.birth_date, datetime.date(2026, 6, 10)) == 36


def test_township_writes_only_its_villages(county, town_a_user, make_reserve):
    with pytest.raises(Http404):
        make_reserve(county.village_b1, actor=town_a_user)
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).exists()
    assert not ReserveCandidate.objects.exists()
    mine = make_reserve(county.village_a1)
    with pytest.raises(Http404):
        services.candidate_update(
            actor=town_a_user, candidate=mine, data={"village": county.village_b1}
        )
    mine.refresh_from_db()
    assert mine.village == county.village_a1


def test_branch_secretary_writes_nothing(county, branch_a1_user, make_reserve):
    with pytest.raises(Http404):
        make_reserve(county.village_a1, actor=branch_a1_user)


def test_update_is_audited(county, town_a_user, make_reserve):
    c = make_reserve(county.village_a1)
    services.candidate_update(
        actor=town_a_user, candidate=c, data={"willing": False, "willingness_note": "外出"}
    )
    row = AuditLog.objects.get(action=AuditAction.UPDATE)
    assert row.after == {"willing": False, "willingness_note": "外出"}


def test_talent_create_and_candidate_from_it(county, town_a_user, make_reserve):
    talent = services.talent_create(
        actor=town_a_user,
        data={
            "home_village": county.village_a1,
            "name": "周雁",
            "whereabouts": "深圳 电子厂",
            "last_contact_on": datetime.date(2026, 3, 1),
            "contact_person": "村支书",
        },
    )
    c = make_reserve(county.village_a1, returning_talent=talent, source="migrant_worker")
    assert c.returning_talent == talent
    with pytest.raises(ValidationError) as exc:
        services.talent_create(
            actor=town_a_user,
            data={"home_village": county.village_a1, "name": "周", "id_number": "123"},
        )
    assert "18 位" in exc.value.message_dict["id_number"][0]


def test_the_system_may_register_a_candidate(county):
    from zuzhi.core.scope import SYSTEM
    from zuzhi.reserves.services import candidate_create

    person = candidate_create(
        actor=SYSTEM,
        data={
            "village": county.village_a1,
            "name": "王磊",
            "id_number": valid_id_number(birth="19900101", sequence=511),
            "source": "veteran",
            "discovery": "organization",
        },
    )
    assert person.created_by is None and person.events.count() == 1
