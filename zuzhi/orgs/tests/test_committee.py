"""The branch committee roster (支部委员会): appointments and terms, audited and scoped."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.orgs.committee import (
    committee_appoint,
    committee_end_term,
    committee_history,
    committee_roster,
)
from zuzhi.orgs.models import CommitteeSeat
from zuzhi.testing.factories import make_member, valid_id_number

JAN = datetime.date(2024, 1, 1)


@pytest.fixture
def members(county):
    return [
        make_member(county.village_a1, name=f"委员{i}", id_number=valid_id_number("19800101", i))
        for i in range(4)
    ]


def appoint(actor, org, member, position, day=JAN):
    return committee_appoint(
        actor=actor, organization=org, member=member, position=position, started_on=day
    )


def test_roster_lists_the_secretary_first_and_ended_terms_move_to_history(
    county, town_a_user, members
):
    org = county.village_a1
    appoint(town_a_user, org, members[2], "organization")
    appoint(town_a_user, org, members[1], "deputy_secretary")
    secretary = appoint(town_a_user, org, members[0], "secretary")
    roster = committee_roster(user=town_a_user, organization=org)
    assert [(s.position, s.member) for s in roster] == [
        ("secretary", members[0]),
        ("deputy_secretary", members[1]),
        ("organization", members[2]),
    ]
    committee_end_term(actor=town_a_user, seat=secretary, ended_on=datetime.date(2026, 6, 30))
    on_july = committee_roster(user=town_a_user, organization=org, on=datetime.date(2026, 7, 1))
    assert members[0] not in [s.member for s in on_july]
    on_june = committee_roster(user=town_a_user, organization=org, on=datetime.date(2026, 6, 29))
    assert members[0] in [s.member for s in on_june]
    assert list(committee_history(user=town_a_user, organization=org)) == [secretary]
    # The seat is free again for a successor.
    assert appoint(town_a_user, org, members[3], "secretary", datetime.date(2026, 7, 1)).pk


def test_appoint_and_end_are_audited(county, branch_a1_user, members):
    seat = appoint(branch_a1_user, county.village_a1, members[0], "secretary")
    committee_end_term(actor=branch_a1_user, seat=seat, ended_on=datetime.date(2026, 1, 1))
    rows = AuditLog.objects.filter(target_type="orgs.committeeseat", target_id=str(seat.pk))
    create, update = rows.order_by("id")
    assert create.action == AuditAction.CREATE and create.message == "任命委员0为书记"
    assert update.action == AuditAction.UPDATE
    assert (update.before, update.after) == ({"ended_on": None}, {"ended_on": "2026-01-01"})


def test_the_rules_name_what_is_wrong(county, town_a_user, members):
    org = county.village_a1
    stranger = make_member(county.village_a2, name="外人", id_number=valid_id_number("19800101", 9))
    with pytest.raises(ValidationError) as exc:
        appoint(town_a_user, org, stranger, "secretary")
    assert exc.value.message_dict["member"] == ["支部委员应从本支部党员中选任。"]
    with pytest.raises(ValidationError) as exc:
        appoint(town_a_user, county.town_a, members[0], "secretary")
    assert "organization" in exc.value.message_dict
    appoint(town_a_user, org, members[0], "secretary")
    with pytest.raises(ValidationError) as exc:
        appoint(town_a_user, org, members[1], "secretary")
    assert exc.value.message_dict["position"] == ["本支部已有在任书记，请先免去其职务。"]
    with pytest.raises(ValidationError) as exc:
        appoint(town_a_user, org, members[0], "youth")
    assert "已在本届支部委员会任职" in exc.value.message_dict["member"][0]
    # Several deputies and 委员 may serve at once.
    appoint(town_a_user, org, members[1], "member")
    appoint(town_a_user, org, members[2], "member")
    seat = CommitteeSeat.objects.get(member=members[1])
    with pytest.raises(ValidationError) as exc:
        committee_end_term(actor=town_a_user, seat=seat, ended_on=datetime.date(2023, 12, 31))
    assert exc.value.message_dict["ended_on"] == ["离任日期不能早于任职日期。"]


def test_another_township_can_neither_read_nor_write(county, town_a_user, town_b_user, members):
    seat = appoint(town_a_user, county.village_a1, members[0], "secretary")
    with pytest.raises(Http404):
        appoint(town_b_user, county.village_a1, members[1], "organization")
    with pytest.raises(Http404):
        committee_end_term(actor=town_b_user, seat=seat, ended_on=datetime.date(2026, 1, 1))
    assert not committee_roster(user=town_b_user, organization=county.village_a1).exists()


def test_roster_section_and_forms(county, client_as, branch_a1_user, members):
    client = client_as(branch_a1_user)
    url = reverse("orgs:committee", args=[county.village_a1.pk])
    detail = client.get(reverse("orgs:detail", args=[county.village_a1.pk])).content.decode()
    assert f'hx-get="{url}"' in detail
    response = client.post(
        reverse("orgs:committee_appoint", args=[county.village_a1.pk]),
        {"member": members[0].pk, "position": "secretary", "started_on": "2024-01-01"},
    )
    assert response.status_code == 302
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "书记" in fragment and "委员0" in fragment
    refused = client.post(
        reverse("orgs:committee_appoint", args=[county.village_a1.pk]),
        {"member": members[1].pk, "position": "secretary", "started_on": "2024-01-01"},
    ).content.decode()
    assert "本支部已有在任书记" in refused
    seat = CommitteeSeat.objects.get()
    client.post(reverse("orgs:committee_end", args=[seat.pk]), {"ended_on": "2026-01-01"})
    seat.refresh_from_db()
    assert seat.ended_on == datetime.date(2026, 1, 1)


def test_a_township_has_no_roster_section(county, client_as, town_a_user):
    fragment = client_as(town_a_user).get(
        reverse("orgs:committee", args=[county.town_a.pk]), headers={"HX-Request": "true"}
    )
    assert "支部委员会" not in fragment.content.decode()


def test_a_clerk_of_another_township_gets_404_on_roster_writes(
    county, client_as, town_a_user, town_b_user, members
):
    seat = appoint(town_a_user, county.village_a1, members[0], "secretary")
    client = client_as(town_b_user)
    assert client.get(reverse("orgs:committee", args=[county.village_a1.pk])).status_code == 404
    appoint_url = reverse("orgs:committee_appoint", args=[county.village_a1.pk])
    data = {"member": members[1].pk, "position": "organization", "started_on": "2024-01-01"}
    assert client.post(appoint_url, data).status_code == 404
    end = client.post(reverse("orgs:committee_end", args=[seat.pk]), {"ended_on": "2026-01-01"})
    assert end.status_code == 404
    assert CommitteeSeat.objects.get().ended_on is None and CommitteeSeat.objects.count() == 1


def test_the_branchs_secretary_name_follows_the_roster(county, town_a_user, members):
    org = county.village_a1
    org.secretary_name = "旧书记"
    org.save()
    seat = appoint(town_a_user, org, members[0], "secretary")
    org.refresh_from_db()
    assert org.secretary_name == "委员0"
    assert AuditLog.objects.filter(
        target_type="orgs.organization", target_id=str(org.pk), after={"secretary_name": "委员0"}
    ).exists()
    appoint(town_a_user, org, members[1], "organization")  # another seat: no change
    org.refresh_from_db()
    assert org.secretary_name == "委员0"
    committee_end_term(actor=town_a_user, seat=seat, ended_on=datetime.date(2026, 6, 30))
    org.refresh_from_db()
    assert org.secretary_name == ""
