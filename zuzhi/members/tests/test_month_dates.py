"""Month-only dates (年月): 入党时间 and 转正时间 written as `1985.03` on official forms are
stored with their precision, checked at month level, and never shown with an invented day."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from zuzhi.members.models import Member
from zuzhi.members.services import (
    member_bulk_create,
    member_create,
    member_rules,
    member_update,
)
from zuzhi.testing.factories import make_member, member_data, valid_id_number

D = datetime.date
TODAY = D(2026, 3, 10)
# Born 15 January 1980: eighteen on 15 January 1998.
BORN_MID_MONTH = valid_id_number("19800115")


def rule_errors(**overrides) -> dict[str, list[str]]:
    return member_rules(member_data(**overrides), today=TODAY)


def refused(errors, field, text) -> bool:
    return any(text in m for m in errors.get(field, []))


def probationary(**overrides) -> dict:
    return {"status": "probationary", "full_date": None} | overrides


# --- 入党时应年满 18 周岁 ---------------------------------------------------------------


def test_month_only_join_a_month_before_the_18th_birthday_month_is_refused():
    errors = rule_errors(
        id_number=BORN_MID_MONTH, join_date=D(1997, 12, 1), join_date_month_only=True
    )
    assert refused(errors, "join_date", "18 周岁")


def test_month_only_join_in_the_18th_birthday_month_is_accepted():
    # Stored as 1 January 1998, before the birthday: only the month may be compared.
    errors = rule_errors(
        id_number=BORN_MID_MONTH, join_date=D(1998, 1, 1), join_date_month_only=True
    )
    assert "join_date" not in errors


def test_full_date_join_a_day_before_the_18th_birthday_is_still_refused():
    errors = rule_errors(id_number=BORN_MID_MONTH, join_date=D(1998, 1, 14))
    assert refused(errors, "join_date", "18 周岁")
    assert "join_date" not in rule_errors(id_number=BORN_MID_MONTH, join_date=D(1998, 1, 15))


# --- 入党日期不能晚于今天 ---------------------------------------------------------------


def test_month_only_join_in_the_current_month_is_accepted():
    errors = rule_errors(**probationary(join_date=D(2026, 3, 31), join_date_month_only=True))
    assert "join_date" not in errors


def test_month_only_join_next_month_is_refused():
    errors = rule_errors(**probationary(join_date=D(2026, 4, 1), join_date_month_only=True))
    assert refused(errors, "join_date", "晚于今天")


def test_full_date_join_tomorrow_is_still_refused():
    assert refused(rule_errors(**probationary(join_date=D(2026, 3, 11))), "join_date", "晚于今天")
    assert "join_date" not in rule_errors(**probationary(join_date=TODAY))


# --- 转正日期不能早于入党日期 / 不能晚于今天 ---------------------------------------------


def test_month_only_full_date_in_the_join_month_is_accepted():
    errors = rule_errors(
        join_date=D(2005, 7, 20), full_date=D(2005, 7, 1), full_date_month_only=True
    )
    assert "full_date" not in errors


def test_month_only_join_compares_months_with_a_full_date():
    errors = rule_errors(
        join_date=D(2005, 7, 1), join_date_month_only=True, full_date=D(2005, 6, 30)
    )
    assert refused(errors, "full_date", "早于入党日期")


def test_month_only_full_date_a_month_before_joining_is_refused():
    errors = rule_errors(
        join_date=D(2005, 7, 20), full_date=D(2005, 6, 1), full_date_month_only=True
    )
    assert refused(errors, "full_date", "早于入党日期")


def test_full_dates_a_day_before_joining_are_still_refused():
    errors = rule_errors(join_date=D(2005, 7, 20), full_date=D(2005, 7, 19))
    assert refused(errors, "full_date", "早于入党日期")


def test_month_only_full_date_in_the_current_month_is_accepted_next_month_refused():
    ok = rule_errors(full_date=D(2026, 3, 31), full_date_month_only=True)
    assert "full_date" not in ok
    late = rule_errors(full_date=D(2026, 4, 1), full_date_month_only=True)
    assert refused(late, "full_date", "晚于今天")
    assert refused(rule_errors(full_date=D(2026, 3, 11)), "full_date", "晚于今天")


# --- storage ---------------------------------------------------------------------------


def test_month_only_date_is_kept_as_the_first_of_its_month(county, town_a_user):
    member = member_create(
        actor=town_a_user,
        organization=county.village_a1,
        data=member_data(
            join_date=D(2005, 7, 20),
            join_date_month_only=True,
            full_date=D(2006, 7, 9),
            full_date_month_only=True,
        ),
    )
    member.refresh_from_db()
    assert member.join_date == D(2005, 7, 1) and member.join_date_month_only
    assert member.full_date == D(2006, 7, 1) and member.full_date_month_only


def test_month_only_flag_without_a_date_is_cleared(county, town_a_user):
    member = member_create(
        actor=town_a_user,
        organization=county.village_a1,
        data=member_data(**probationary(full_date_month_only=True)),
    )
    member.refresh_from_db()
    assert member.full_date is None and not member.full_date_month_only


def test_bulk_create_keeps_the_month_only_flags(county, town_a_user):
    rows = [
        (
            county.village_a1,
            member_data(join_date=D(2005, 7, 1), join_date_month_only=True),
        ),
        (
            county.village_a1,
            member_data(name="李四", id_number=valid_id_number("19800101", 125)),
        ),
    ]
    member_bulk_create(actor=town_a_user, rows=rows)
    flags = dict(Member.objects.values_list("name", "join_date_month_only"))
    assert flags == {"张三": True, "李四": False}


# --- member_update ---------------------------------------------------------------------


@pytest.fixture
def month_member(county):
    return make_member(
        county.village_a1,
        id_number=valid_id_number("19600101"),
        join_date=D(1985, 3, 1),
        join_date_month_only=True,
        full_date=D(1986, 3, 1),
        full_date_month_only=True,
    )


def test_a_full_date_saved_through_member_update_clears_the_flag(town_a_user, month_member):
    member = member_update(
        actor=town_a_user,
        member=month_member,
        data={"join_date": D(1985, 3, 15), "full_date": D(1986, 3, 20)},
    )
    member.refresh_from_db()
    assert member.join_date == D(1985, 3, 15) and not member.join_date_month_only
    assert member.full_date == D(1986, 3, 20) and not member.full_date_month_only


def test_member_update_of_other_fields_keeps_the_flags(town_a_user, month_member):
    member = member_update(actor=town_a_user, member=month_member, data={"work_unit": "李庄村"})
    member.refresh_from_db()
    assert member.join_date_month_only and member.full_date_month_only
    assert member.join_date == D(1985, 3, 1)


def test_member_update_with_the_flag_given_keeps_it(town_a_user, month_member):
    member = member_update(
        actor=town_a_user,
        member=month_member,
        data={"join_date": D(1985, 4, 18), "join_date_month_only": True},
    )
    member.refresh_from_db()
    assert member.join_date == D(1985, 4, 1) and member.join_date_month_only


def test_member_update_checks_month_only_dates_at_month_level(town_a_user, month_member):
    with pytest.raises(ValidationError) as exc:
        member_update(
            actor=town_a_user,
            member=month_member,
            data={"full_date": D(1985, 2, 1), "full_date_month_only": True},
        )
    assert "早于入党日期" in exc.value.message_dict["full_date"][0]


# --- display ---------------------------------------------------------------------------


def test_display_rule():
    member = Member(join_date=D(1985, 3, 1), join_date_month_only=True, full_date=D(1986, 3, 15))
    assert member.join_date_display == "1985.03"
    assert member.full_date_display == "1986-03-15"
    assert Member(join_date=D(1985, 3, 1)).full_date_display is None


def test_detail_and_list_pages_show_the_month_only(client_as, town_a_user, month_member):
    client = client_as(town_a_user)
    body = client.get(reverse("members:detail", args=[month_member.pk])).content.decode()
    assert "1985.03" in body and "1986.03" in body
    assert "1985-03-01" not in body and "1986-03-01" not in body
    body = client.get(reverse("members:list")).content.decode()
    assert "1985.03" in body and "1985-03-01" not in body


def test_detail_page_shows_full_dates_as_before(county, client_as, town_a_user):
    member = make_member(county.village_a1, join_date=D(2005, 7, 15), full_date=D(2006, 7, 20))
    body = client_as(town_a_user).get(reverse("members:detail", args=[member.pk])).content
    assert "2005-07-15" in body.decode() and "2006-07-20" in body.decode()


def test_excel_export_shows_the_month_only(county, client_as, town_a_user, month_member):
    make_member(
        county.village_a1,
        name="李四",
        id_number=valid_id_number("19800101", 125),
        join_date=D(2005, 7, 15),
        full_date=D(2006, 7, 20),
    )
    content = client_as(town_a_user).get(reverse("members:list"), {"export": "xlsx"}).content
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    join, full = rows[0].index("入党日期"), rows[0].index("转正日期")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["张三"][join] == "1985.03" and by_name["张三"][full] == "1986.03"
    # A full date is still a date cell.
    assert by_name["李四"][join] == D(2005, 7, 15) and by_name["李四"][full] == D(2006, 7, 20)


def test_api_reports_the_precision(county, api_as, town_a_user, month_member):
    body = api_as(town_a_user).get(f"/api/members/{month_member.pk}").json()
    assert body["join_date"] == "1985-03-01"  # kept as an ISO date for existing clients
    assert body["join_date_month_only"] is True and body["join_date_display"] == "1985.03"
    assert body["full_date_month_only"] is True and body["full_date_display"] == "1986.03"


def test_api_accepts_month_only_dates_and_a_patch_with_a_full_date_clears_them(
    county, api_as, town_a_user
):
    client = api_as(town_a_user)
    payload = {
        "organization_id": county.village_a1.pk,
        "name": "李四",
        "id_number": valid_id_number("19600101"),
        "ethnicity": "01",
        "join_date": "1985-03-01",
        "join_date_month_only": True,
        "status": "probationary",
    }
    created = client.post("/api/members", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["join_date_display"] == "1985.03"
    pk = created.json()["id"]
    patched = client.patch(
        f"/api/members/{pk}", {"join_date": "1985-03-15"}, content_type="application/json"
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["join_date_month_only"] is False
    assert patched.json()["join_date_display"] == "1985-03-15"


# --- the member form -------------------------------------------------------------------


def form_post(member: Member, **changes) -> dict:
    data = {
        "name": member.name,
        "id_number": member.id_number,
        "gender": member.gender,
        "ethnicity": member.ethnicity,
        "birth_date": f"{member.birth_date:%Y-%m-%d}",
        "education": member.education,
        "join_date": "",
        "full_date": "",
        "status": member.status,
        "category": member.category,
        "phone": member.phone,
        "work_unit": member.work_unit,
    }
    return data | changes


def test_edit_form_does_not_show_an_invented_day(client_as, town_a_user, month_member):
    body = client_as(town_a_user).get(reverse("members:edit", args=[month_member.pk]))
    text = body.content.decode()
    assert "原记录只有年月：1985.03" in text and "原记录只有年月：1986.03" in text
    assert "1985-03-01" not in text and "1986-03-01" not in text


def test_edit_form_saved_untouched_keeps_the_month_only_dates(client_as, town_a_user, month_member):
    url = reverse("members:edit", args=[month_member.pk])
    response = client_as(town_a_user).post(url, form_post(month_member, work_unit="李庄村"))
    assert response.status_code == 302
    month_member.refresh_from_db()
    assert month_member.work_unit == "李庄村"
    assert month_member.join_date == D(1985, 3, 1) and month_member.join_date_month_only
    assert month_member.full_date == D(1986, 3, 1) and month_member.full_date_month_only


def test_edit_form_with_a_full_date_replaces_the_month_only_one(
    client_as, town_a_user, month_member
):
    url = reverse("members:edit", args=[month_member.pk])
    response = client_as(town_a_user).post(url, form_post(month_member, join_date="1985-03-15"))
    assert response.status_code == 302
    month_member.refresh_from_db()
    assert month_member.join_date == D(1985, 3, 15) and not month_member.join_date_month_only
    assert month_member.full_date == D(1986, 3, 1) and month_member.full_date_month_only


def test_edit_form_of_a_full_date_member_still_requires_the_join_date(
    county, client_as, town_a_user
):
    member = make_member(county.village_a1)
    url = reverse("members:edit", args=[member.pk])
    response = client_as(town_a_user).post(url, form_post(member))
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.join_date == D(2005, 7, 1)


def test_history_shows_the_flag_as_yes_or_no(client_as, town_a_user, month_member):
    member_update(actor=town_a_user, member=month_member, data={"join_date": D(1985, 3, 15)})
    body = client_as(town_a_user).get(reverse("members:history", args=[month_member.pk]))
    text = body.content.decode()
    assert "入党日期只有年月" in text and '<td class="old">是</td><td>否</td>' in text
