import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zuzhi.accounts.services import token_issue
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.tickets.models import TicketState


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_issue(user=user)}"})


def post(user, url, data=None):
    return api(user).post(url, data=data or {}, content_type="application/json")


def test_member_works_a_ticket_through_the_actions(world):
    user = world.member.user
    created = post(
        user,
        "/api/tickets",
        {"household_id": world.household.pk, "type_id": world.daily.pk, "description": "漏水"},
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["actions"] == ["accept", "attach"]
    assert post(user, f"/api/tickets/{pk}/accept").json()["state"] == "accepted"
    assert post(user, f"/api/tickets/{pk}/start").json()["state"] == "in_progress"
    passed = post(user, f"/api/tickets/{pk}/pass-to-team", {"team_id": world.team.pk})
    assert passed.json()["state"] == "with_team"
    assert passed.json()["member_id"] == world.leader.pk
    taken = post(world.team_member.user, f"/api/tickets/{pk}/take")
    assert taken.json()["member_id"] == world.team_member.pk
    refused = post(world.team_member.user, f"/api/tickets/{pk}/resolve", {"resolution": ""})
    assert refused.status_code == 400
    done = post(world.team_member.user, f"/api/tickets/{pk}/resolve", {"resolution": "调解好了"})
    assert done.json()["state"] == "resolved"
    kinds = [e["kind"] for e in done.json()["events"]]
    assert kinds == ["create", "accept", "start", "pass_to_team", "take", "resolve", "callback"]


def test_wrong_person_gets_403_and_wrong_state_400(world):
    ticket = world.new_ticket()
    answer = post(world.unit_secretary, f"/api/tickets/{ticket.pk}/accept")
    assert answer.status_code == 403
    assert "责任党员" in answer.json()["message"]
    answer = post(world.member.user, f"/api/tickets/{ticket.pk}/take")
    assert answer.status_code == 400


def test_community_reassigns_and_closes(world):
    ticket = world.new_ticket()
    answer = post(
        world.community, f"/api/tickets/{ticket.pk}/reassign", {"member_id": world.other_member.pk}
    )
    assert answer.json()["member_id"] == world.other_member.pk
    answer = post(
        world.community, f"/api/tickets/{ticket.pk}/reassign", {"member_id": world.outsider.pk}
    )
    assert answer.status_code == 400  # not linked to a household of this community
    answer = post(world.community, f"/api/tickets/{ticket.pk}/close", {"note": "重复"})
    assert answer.json()["state"] == TicketState.CLOSED


@pytest.mark.parametrize("who", ["other_member", "other_community", "town_b_staff", "outsider"])
def test_privacy_others_get_the_logged_404(world, who):
    ticket = world.new_ticket()
    person = getattr(world, who)
    user = getattr(person, "user", person)
    denials = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    assert api(user).get(f"/api/tickets/{ticket.pk}").status_code == 404
    assert post(user, f"/api/tickets/{ticket.pk}/accept").status_code == 404
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() > denials
    assert api(user).get("/api/tickets").json()["count"] == 0
    created = post(
        user,
        "/api/tickets",
        {"household_id": world.household.pk, "type_id": world.daily.pk, "description": "x"},
    )
    assert created.status_code == 404


@pytest.mark.parametrize("who", ["unit_secretary", "community", "town", "county_staff"])
def test_those_around_the_household_see_it(world, who):
    ticket = world.new_ticket()
    user = getattr(world, who)
    assert api(user).get(f"/api/tickets/{ticket.pk}").status_code == 200
    assert api(user).get("/api/tickets").json()["count"] == 1


def test_list_phone_masked_and_filters(world):
    world.new_ticket()
    rows = api(world.town).get("/api/tickets").json()["items"]
    assert rows[0]["contact_phone"] != "13900001111"
    assert api(world.town).get("/api/tickets?state=closed").json()["count"] == 0
    assert api(world.town).get("/api/tickets?escalated=true").json()["count"] == 0
    assert api(world.member.user).get("/api/tickets?mine=true").json()["count"] == 1


def test_list_queries_bounded(world):
    for _ in range(3):
        world.new_ticket()
    client = api(world.town)
    client.get("/api/tickets")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/tickets")
    for _ in range(10):
        world.new_ticket()
    with CaptureQueriesContext(connection) as many:
        client.get("/api/tickets")
    assert len(many) == len(few)


def test_files_added_through_the_api_until_the_ticket_closes(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = world.new_ticket()
    url = f"/api/tickets/{ticket.pk}/attachments"
    owner = api(world.member.user)
    photo = SimpleUploadedFile("楼道灯.jpg", b"\xff\xd8\xff")
    answer = owner.post(url, {"files": [photo], "note": "现场照片"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["state"] == TicketState.NEW  # the ticket does not move
    step = body["events"][-1]
    assert step["kind"] == "attach" and step["note"] == "现场照片"
    [attachment] = step["attachments"]
    assert attachment["name"] == "楼道灯.jpg"
    download = owner.get(attachment["url"])
    assert b"".join(download.streaming_content) == b"\xff\xd8\xff"
    # A file type that is not allowed is named; nothing is stored.
    bad = owner.post(url, {"files": [SimpleUploadedFile("x.exe", b"MZ")]})
    assert bad.status_code == 400 and "x.exe" in bad.content.decode()
    assert ticket.attachments.count() == 1
    # Someone else's ticket: 404; a closed ticket takes no more files.
    other = api(world.other_member.user).post(url, {"files": [SimpleUploadedFile("a.jpg", b"1")]})
    assert other.status_code == 404
    post(world.community, f"/api/tickets/{ticket.pk}/close", {"note": "重复"})
    late = owner.post(url, {"files": [SimpleUploadedFile("b.jpg", b"1")]})
    assert late.status_code == 400
    assert ticket.attachments.count() == 1
