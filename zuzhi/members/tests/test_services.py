import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.core.crypto import blind_index
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.scope import SYSTEM
from zuzhi.members.models import Member, TransferStatus
from zuzhi.members.selectors import member_list, transfer_list
from zuzhi.members.services import (
    member_create,
    member_transfer,
    member_transfer_cancel,
    member_transfer_decide,
    member_update,
)
from zuzhi.testing.factories import make_member, member_data, valid_id_number


def errors_of(call):
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


def test_create_derives_birth_date_and_gender_from_the_id(county, town_a_user):
    member = member_create(
        actor=town_a_user,
        organization=county.village_a1,
        data=member_data(id_number=valid_id_number("19800101", 124).lower()),
    )
    assert member.birth_date == datetime.date(1980, 1, 1) and member.gender == "2"
    assert member.id_number.endswith(member.id_number[-1].upper())
    row = AuditLog.objects.get(action=AuditAction.CREATE, target_type="members.member")
    assert row.org_path == county.village_a1.path and row.after["name"] == "张三"


@pytest.mark.parametrize(
    "overrides,field,text",
    [
        ({"id_number": "411330198001011230"}, "id_number", "校验位"),
        ({"birth_date": datetime.date(1980, 1, 2)}, "birth_date", "不一致"),
        ({"gender": "2"}, "gender", "不一致"),
        ({"ethnicity": "77"}, "ethnicity", "民族"),
        ({"education": "99"}, "education", "学历"),
        ({"phone": "1381234"}, "phone", "手机"),
        ({"join_date": datetime.date(1997, 12, 31)}, "join_date", "18 周岁"),
        ({"status": "probationary"}, "full_date", "预备党员"),
        ({"full_date": datetime.date(2004, 1, 1)}, "full_date", "早于"),
        ({"name": ""}, "name", "姓名"),
    ],
)
def test_rules_name_the_field(county, town_a_user, overrides, field, text):
    errors = errors_of(
        lambda: member_create(
            actor=town_a_user, organization=county.village_a1, data=member_data(**overrides)
        )
    )
    assert any(text in m for m in errors[field])
    assert not Member.objects.exists()


def test_join_on_the_18th_birthday_is_accepted(county, town_a_user):
    member = member_create(
        actor=town_a_user,
        organization=county.village_a1,
        data=member_data(
            id_number=valid_id_number("19800101"), join_date=datetime.date(1998, 1, 1)
        ),
    )
    assert member.pk


def test_member_of_a_branch_outside_the_township_is_refused(county, town_a_user):
    errors = errors_of(
        lambda: member_create(actor=town_a_user, organization=county.village_b1, data=member_data())
    )
    assert "权限范围" in errors["organization"][0]


def test_members_sit_in_branches(county, town_a_user):
    errors = errors_of(
        lambda: member_create(actor=town_a_user, organization=county.town_a, data=member_data())
    )
    assert "党支部" in errors["organization"][0]


def test_an_id_number_is_registered_once(county, town_a_user):
    make_member(county.village_a1)
    errors = errors_of(
        lambda: member_create(
            actor=town_a_user, organization=county.village_a2, data=member_data(name="李四")
        )
    )
    assert "已登记" in errors["id_number"][0]


def test_update_audits_only_changes(county, town_a_user):
    member = make_member(county.village_a1)
    start = AuditLog.objects.count()
    member_update(actor=town_a_user, member=member, data={"phone": "13900001111"})
    member_update(actor=town_a_user, member=member, data={"phone": "13900001111"})
    rows = list(AuditLog.objects.order_by("id")[start:])
    # The log holds the masked copy of an encrypted value, never the value itself.
    assert len(rows) == 1 and set(rows[0].before) == {"phone", "phone_index"}
    assert rows[0].before["phone"] == "138****5678" and rows[0].after["phone"] == "139****1111"


def test_update_audits_a_change_the_mask_hides(county, town_a_user):
    """Two phones with the same masked copy: the change is saved and audited all the same,
    through the blind index in the log."""
    member = make_member(county.village_a1)
    start = AuditLog.objects.count()
    member_update(actor=town_a_user, member=member, data={"phone": "13899995678"})
    rows = list(AuditLog.objects.order_by("id")[start:])
    assert len(rows) == 1 and rows[0].after == {"phone_index": blind_index("phone", "13899995678")}
    assert Member.objects.get(pk=member.pk).phone == "13899995678"


def test_other_township_cannot_update_or_transfer(county, town_b_user):
    member = make_member(county.village_a1)
    with pytest.raises(Http404):
        member_update(actor=town_b_user, member=member, data={"name": "改"})
    with pytest.raises(Http404):
        member_transfer(
            actor=town_b_user,
            member=member,
            to_org=county.village_b1,
            transfer_date=datetime.date(2026, 11, 1),
            reason="迁居",
        )


def test_search_by_name_initials_and_whole_id_number(county, town_a_user, town_b_user):
    member = make_member(county.village_a1, name="王小明")
    assert list(member_list(user=town_a_user, q="王小")) == [member]
    assert list(member_list(user=town_a_user, q="wxm")) == [member]
    assert list(member_list(user=town_a_user, q=member.id_number.lower())) == [member]
    assert list(member_list(user=town_a_user, q=member.id_number[:10])) == []
    for q in ("王小", "wxm", member.id_number):
        assert list(member_list(user=town_b_user, q=q)) == []


def test_transfer_inside_scope_takes_effect_at_once(county, town_a_user):
    member = make_member(county.village_a1)
    transfer = member_transfer(
        actor=town_a_user,
        member=member,
        to_org=county.village_a2,
        transfer_date=datetime.date(2026, 11, 1),
        reason="工作调动",
    )
    member.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED and member.organization == county.village_a2


def test_transfer_out_of_scope_waits_for_the_receiving_side(county, town_a_user, town_b_user):
    member = make_member(county.village_a1)
    transfer = member_transfer(
        actor=town_a_user,
        member=member,
        to_org=county.village_b1,
        transfer_date=datetime.date(2026, 11, 1),
        reason="迁居",
    )
    member.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING and member.organization == county.village_a1
    assert list(transfer_list(user=town_b_user)) == [transfer]
    assert list(transfer_list(user=town_a_user)) == []
    with pytest.raises(Http404):
        member_transfer_decide(actor=town_a_user, transfer=transfer, accept=True)
    with pytest.raises(ValidationError):
        member_transfer(
            actor=town_a_user,
            member=member,
            to_org=county.village_a2,
            transfer_date=datetime.date(2026, 11, 1),
            reason="再转",
        )
    member_transfer_decide(actor=town_b_user, transfer=transfer, accept=True)
    member.refresh_from_db()
    assert member.organization == county.village_b1
    assert list(member_list(user=town_a_user)) == [] and list(member_list(user=town_b_user)) == [
        member
    ]
    with pytest.raises(ValidationError):
        member_transfer_decide(actor=town_b_user, transfer=transfer, accept=False, note="重复")


def test_rejected_and_cancelled_transfers_leave_the_member(county, town_a_user, town_b_user):
    member = make_member(county.village_a1)
    first = member_transfer(
        actor=town_a_user,
        member=member,
        to_org=county.village_b1,
        transfer_date=datetime.date(2026, 11, 1),
        reason="迁居",
    )
    with pytest.raises(ValidationError):
        member_transfer_decide(actor=town_b_user, transfer=first, accept=False)
    member_transfer_decide(actor=town_b_user, transfer=first, accept=False, note="地址不符")
    second = member_transfer(
        actor=town_a_user,
        member=member,
        to_org=county.village_b1,
        transfer_date=datetime.date(2026, 11, 2),
        reason="迁居",
    )
    member_transfer_cancel(actor=town_a_user, transfer=second)
    member.refresh_from_db()
    assert member.organization == county.village_a1


def test_bulk_create_applies_the_same_rules_all_or_nothing(county, town_a_user):
    from zuzhi.members.services import member_bulk_create

    good = [
        (county.village_a1, member_data(name=f"党员{i}", id_number=valid_id_number("19800101", i)))
        for i in range(5)
    ]
    bad = (county.village_b1, member_data(name="越界", id_number=valid_id_number("19800101", 77)))
    with pytest.raises(ValidationError) as exc:
        member_bulk_create(actor=town_a_user, rows=[*good, bad])
    assert list(exc.value.message_dict) == ["5"] and "权限范围" in exc.value.message_dict["5"][0]
    assert not Member.objects.exists()
    created = member_bulk_create(actor=town_a_user, rows=good)
    assert len(created) == 5 and Member.objects.count() == 5
    rows = AuditLog.objects.filter(action=AuditAction.CREATE, target_type="members.member")
    assert sorted(int(r.target_id) for r in rows) == sorted(m.pk for m in created)
    assert {r.actor for r in rows} == {town_a_user}
    with pytest.raises(ValidationError) as exc:
        member_bulk_create(actor=town_a_user, rows=good[:1])
    assert "已登记" in exc.value.message_dict["0"][0]


def test_rules_take_today_from_a_batch_caller():
    from zuzhi.members.services import member_rules

    data = member_data(join_date=datetime.date(2020, 5, 1), full_date=datetime.date(2021, 5, 1))
    errors = member_rules(dict(data), today=datetime.date(2021, 4, 30))
    assert list(errors) == ["full_date"] and "晚于今天" in errors["full_date"][0]
    assert member_rules(dict(data), today=datetime.date(2021, 5, 1)) == {}


def test_the_status_a_roster_implies_follows_the_probation_rules():
    import datetime

    from zuzhi.members.services import member_status_implied

    today = datetime.date(2026, 12, 5)

    def implied(join, full=None, month_only=False):
        return member_status_implied(
            join_date=join, full_date=full, join_month_only=month_only, today=today
        )

    assert implied(datetime.date(2025, 12, 6)) == "probationary"  # a year less a day
    assert implied(datetime.date(2025, 12, 5)) is None  # a year: probation may be extended
    assert implied(datetime.date(2024, 12, 6)) is None
    assert implied(datetime.date(2024, 12, 5)) == "full"  # two years: probation has ended
    assert implied(datetime.date(2025, 12, 5), full=datetime.date(2026, 12, 1)) == "full"
    # 2024.12 may be any day of December 2024: not yet two years for its last days.
    assert implied(datetime.date(2024, 12, 1), month_only=True) is None
    assert implied(datetime.date(2024, 11, 1), month_only=True) == "full"
    # 2025.12 month-only: its first day is a year ago already, so it is not surely probation.
    assert implied(datetime.date(2025, 12, 1), month_only=True) is None


def test_names_and_phones_are_kept_however_typed_in_a_form_or_the_api(county):
    member = member_create(
        actor=SYSTEM,
        organization=county.village_a1,
        data=member_data(name="王　芳", phone="138-1234-5678"),
    )
    assert member.name == "王芳" and member.phone == "13812345678"
    member = member_create(
        actor=SYSTEM,
        organization=county.village_a1,
        data=member_data(
            name="李  明", phone="(0377)6512345", id_number=valid_id_number(sequence=5)
        ),
    )
    assert member.name == "李明" and member.phone == "0377-6512345"


@pytest.mark.parametrize(
    "field, day",
    [("join_date", datetime.date(1899, 12, 31)), ("full_date", datetime.date(2101, 1, 1))],
)
def test_member_dates_outside_1900_to_2100_are_refused(county, town_a_user, field, day):
    errors = errors_of(
        lambda: member_create(
            actor=town_a_user, organization=county.village_a1, data=member_data(**{field: day})
        )
    )
    assert "日期应在 1900 年至 2100 年之间。" in errors[field]


def test_a_transfer_dated_0001_01_01_is_refused(county, town_a_user):
    member = make_member(county.village_a1)
    errors = errors_of(
        lambda: member_transfer(
            actor=town_a_user,
            member=member,
            to_org=county.village_a2,
            transfer_date=datetime.date(1, 1, 1),
            reason="工作调动",
        )
    )
    assert errors == {"transfer_date": ["日期应在 1900 年至 2100 年之间。"]}


def test_a_member_gets_their_own_account_once_and_only_in_scope(county, town_a_user, town_b_user):
    from django.http import Http404

    from zuzhi.accounts.models import User
    from zuzhi.members.services import member_account_link
    from zuzhi.testing.factories import make_member, valid_id_number

    first = make_member(county.village_a1)
    second = make_member(county.village_a1, id_number=valid_id_number(sequence=902))
    account = User.objects.create_user(username="lianhu_t", password="x-Long-Pass-2026")
    with pytest.raises(Http404):
        member_account_link(actor=town_b_user, member=first, user=account)
    member_account_link(actor=town_a_user, member=first, user=account)
    member_account_link(actor=town_a_user, member=second, user=account)
    first.refresh_from_db()
    assert first.user is None and account.member_record == second
