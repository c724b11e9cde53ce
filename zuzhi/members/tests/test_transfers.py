"""The transfer flow a clerk walks (组织关系转接): confirm the target by its full name, send,
print the introduction letter, find the finished transfers."""

import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.members.letters import chinese_number
from zuzhi.members.models import MemberTransfer, TransferStatus
from zuzhi.members.selectors import transfer_target_township, transfers_to_receive_count
from zuzhi.members.services import member_transfer, member_transfer_cancel, member_transfer_decide
from zuzhi.testing.factories import make_member, user_with_role


def form(to_org) -> dict:
    """The transfer form as the picker posts it: the receiving organization's id."""
    return {"to_org_code": to_org.pk, "transfer_date": "2026-11-01", "reason": "迁居"}


@pytest.fixture
def member(county):
    return make_member(county.village_a1, name="王小明")


def _send(actor, member, to_org, day=datetime.date(2026, 11, 1)):
    return member_transfer(
        actor=actor, member=member, to_org=to_org, transfer_date=day, reason="迁居"
    )


def _pdf_text(content: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return out.stdout.decode()


# --- confirmation -------------------------------------------------------------------------
def test_the_clerk_confirms_the_targets_full_name_and_township_before_sending(
    county, client_as, town_a_user, member
):
    county.village_b1.secretary_name = "赵书记"
    county.village_b1.save()
    page = client_as(town_a_user).post(
        reverse("members:transfer", args=[member.pk]), form(county.village_b1)
    )
    body = page.content.decode()
    assert page.status_code == 200 and "确认转出" in body
    assert "张湾村党支部" in body and "城郊乡党委" in body and "王小明" in body
    # Nothing else of another township: not even its secretary.
    assert "赵书记" not in body
    action = reverse("members:transfer_confirm", args=[member.pk])
    assert f'action="{action}"' in body


def test_sending_without_the_confirmation_does_not_move_the_member(
    county, client_as, town_a_user, member
):
    client = client_as(town_a_user)
    client.post(reverse("members:transfer", args=[member.pk]), form(county.village_a2))
    member.refresh_from_db()
    assert member.organization == county.village_a1 and not MemberTransfer.objects.exists()
    assert not AuditLog.objects.filter(action=AuditAction.MOVE).exists()
    sent = client.post(
        reverse("members:transfer_confirm", args=[member.pk]), form(county.village_a2)
    )
    member.refresh_from_db()
    assert sent.status_code == 302 and member.organization == county.village_a2
    assert AuditLog.objects.filter(action=AuditAction.MOVE, target_id=str(member.pk)).exists()


def test_a_transfer_the_rules_refuse_is_not_offered_for_confirmation(
    county, client_as, town_a_user, member
):
    _send(town_a_user, member, county.village_b1)
    page = client_as(town_a_user).post(
        reverse("members:transfer", args=[member.pk]), form(county.village_b1)
    )
    body = page.content.decode()
    assert "该党员已有待接收的转接" in body and "确认转出" not in body


def test_back_from_the_confirmation_the_form_is_filled_in(county, client_as, town_a_user, member):
    page = client_as(town_a_user).get(
        reverse("members:transfer", args=[member.pk]), form(county.village_b1)
    )
    assert county.village_b1.name in page.content.decode()
    assert 'value="迁居"' in page.content.decode()


def test_a_reload_of_the_confirm_address_goes_back_to_the_form(client_as, town_a_user, member):
    response = client_as(town_a_user).get(reverse("members:transfer_confirm", args=[member.pk]))
    assert response.status_code == 302 and not MemberTransfer.objects.exists()


def test_the_township_of_a_target_is_its_township_or_else_its_parent(county):
    assert transfer_target_township(to_org=county.village_b1) == "城郊乡党委"
    assert transfer_target_township(to_org=county.unit) == "示范县委"


# --- the introduction letter ---------------------------------------------------------------
def test_both_sides_print_the_letter_with_the_id_number_in_full_on_the_letter_only(
    county, client_as, town_a_user, town_b_user, member
):
    transfer = _send(town_a_user, member, county.village_b1)
    for user in (town_a_user, town_b_user):
        response = client_as(user).get(reverse("members:transfer_letter", args=[transfer.pk]))
        assert response["Content-Type"] == "application/pdf"
        text = _pdf_text(response.content)
        assert "王小明" in text and "张湾村党支部" in text and "李庄村党支部" in text
        assert "存" in text and "回执" in text and f"组字第{transfer.pk}号" in text
        # In full on the letter, masked on the stub the sender keeps.
        assert text.count(member.id_number) == 1 and "411330********" in text
    exports = AuditLog.objects.filter(
        action=AuditAction.EXPORT, target_type="members.membertransfer"
    )
    assert exports.count() == 2
    assert set(exports.values_list("org_path", flat=True)) == {
        county.village_a1.path,
        county.village_b1.path,
    }
    seen = AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL, target_id=str(member.pk))
    assert seen.count() == 2 and "公民身份号码" in seen.first().message


def test_the_letter_is_404_outside_both_sides(county, client_as, town_a_user, member):
    transfer = _send(town_a_user, member, county.village_b1)
    neighbour = user_with_role(Role.BRANCH_SECRETARY, county.village_a2, username="branch_a2")
    response = client_as(neighbour).get(reverse("members:transfer_letter", args=[transfer.pk]))
    assert response.status_code == 404
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).exists()
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()


def test_the_letter_through_the_api(county, api_as, town_a_user, town_b_user, member):
    transfer = _send(town_a_user, member, county.village_b1)
    url = f"/api/members/transfers/{transfer.pk}/letter.pdf"
    response = api_as(town_b_user).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "王小明" in _pdf_text(response.content)
    neighbour = user_with_role(Role.BRANCH_SECRETARY, county.village_a2, username="branch_a2")
    assert api_as(neighbour).get(url).status_code == 404
    member_transfer_cancel(actor=town_a_user, transfer=transfer)
    refused = api_as(town_a_user).get(url)
    assert refused.status_code == 400 and "已撤销" in refused.json()["message"]


def test_a_withdrawn_transfer_has_no_letter(county, client_as, town_a_user, member):
    transfer = _send(town_a_user, member, county.village_b1)
    member_transfer_cancel(actor=town_a_user, transfer=transfer)
    response = client_as(town_a_user).get(
        reverse("members:transfer_letter", args=[transfer.pk]), follow=True
    )
    assert "不能打印介绍信" in response.content.decode()
    assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_letter_says_the_dues_paid_to_and_the_validity_in_words(
    county, client_as, town_a_user, member
):
    from zuzhi.dues.models import DuesPayment

    DuesPayment.objects.create(
        member=member,
        month=datetime.date(2026, 10, 1),
        amount_fen=200,
        paid_on=datetime.date(2026, 10, 5),
    )
    transfer = _send(town_a_user, member, county.village_b1)
    text = _pdf_text(
        client_as(town_a_user).get(reverse("members:transfer_letter", args=[transfer.pk])).content
    )
    assert "党费已交到2026年10月" in text and "有效期三十天" in text


def test_days_in_words():
    assert [chinese_number(n) for n in (1, 10, 15, 30, 45, 90)] == [
        "一",
        "十",
        "十五",
        "三十",
        "四十五",
        "九十",
    ]


# --- lists ------------------------------------------------------------------------------------
def test_finished_transfers_are_listed_with_the_date_finished_in_scope(
    county, client_as, town_a_user, town_b_user, member
):
    other = make_member(county.village_a1, name="李小红", id_number=_id(7))
    third = make_member(county.village_a1, name="张小刚", id_number=_id(8))
    accepted = _send(town_a_user, member, county.village_b1)
    member_transfer_decide(actor=town_b_user, transfer=accepted, accept=True)
    returned = _send(town_a_user, other, county.village_b1)
    member_transfer_decide(actor=town_b_user, transfer=returned, accept=False, note="地址不符")
    _send(town_a_user, third, county.village_b1)  # still pending

    for user in (town_a_user, town_b_user):
        body = client_as(user).get(reverse("members:transfers"), {"tab": "done"}).content.decode()
        assert "王小明" in body and "李小红" in body and "张小刚" not in body
        assert "已接收" in body and "已退回" in body and "地址不符" in body
        assert timezone_today() in body and "共 2 条" in body
    only_returned = client_as(town_a_user).get(
        reverse("members:transfers"), {"tab": "done", "status": TransferStatus.REJECTED}
    )
    assert "李小红" in only_returned.content.decode()
    assert "王小明" not in only_returned.content.decode()
    neighbour = user_with_role(Role.BRANCH_SECRETARY, county.village_a2, username="branch_a2")
    body = client_as(neighbour).get(reverse("members:transfers"), {"tab": "done"}).content.decode()
    assert "王小明" not in body and "没有已办结的转接" in body


def test_the_receiving_clerk_sees_how_many_wait(
    county, client_as, town_a_user, town_b_user, member
):
    _send(town_a_user, member, county.village_b1)
    assert transfers_to_receive_count(user=town_b_user) == 1
    assert transfers_to_receive_count(user=town_a_user) == 0
    body = client_as(town_b_user).get(reverse("members:transfers")).content.decode()
    assert "1 待接收" in body and "王小明" in body


def _id(sequence: int) -> str:
    from zuzhi.testing.factories import valid_id_number

    return valid_id_number(sequence=sequence)


def timezone_today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def test_the_api_lists_finished_transfers_with_the_date_finished(
    county, api_as, town_a_user, town_b_user, member
):
    transfer = _send(town_a_user, member, county.village_b1)
    transfer = member_transfer_decide(actor=town_b_user, transfer=transfer, accept=True)
    rows = api_as(town_a_user).get(
        "/api/members/transfers", {"direction": "outgoing", "status": "accepted"}
    )
    [row] = rows.json()
    assert row["member_name"] == "王小明"
    shown = datetime.datetime.fromisoformat(row["decided_at"])
    assert abs(shown - transfer.decided_at) < datetime.timedelta(seconds=1)  # ms precision


# --- the old branch's committee --------------------------------------------------------------
def test_a_member_who_moves_away_leaves_the_old_branchs_committee_on_the_transfer_date(
    county, town_a_user, county_user, member
):
    from zuzhi.orgs.committee import committee_appoint, committee_roster
    from zuzhi.orgs.models import CommitteePosition

    seat = committee_appoint(
        actor=town_a_user,
        organization=county.village_a1,
        member=member,
        position=CommitteePosition.SECRETARY,
        started_on=datetime.date(2024, 1, 1),
    )
    transfer = _send(town_a_user, member, county.village_b1, day=datetime.date(2026, 11, 3))
    seat.refresh_from_db()
    assert seat.ended_on is None  # still pending: still their branch
    # The receiving township accepts; it does not hold the old branch, the move ends the seat.
    member_transfer_decide(
        actor=user_with_role(Role.TOWNSHIP_STAFF, county.town_b), transfer=transfer, accept=True
    )
    seat.refresh_from_db()
    assert seat.ended_on == datetime.date(2026, 11, 3)
    county.village_a1.refresh_from_db()
    assert county.village_a1.secretary_name == ""  # the old branch's 书记 left with them
    assert not committee_roster(user=county_user, organization=county.village_a1).exists()
    assert AuditLog.objects.filter(
        target_type="orgs.committeeseat", target_id=str(seat.pk)
    ).exists()
