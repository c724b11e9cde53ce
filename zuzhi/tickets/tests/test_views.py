import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zuzhi.home import todo_items
from zuzhi.tickets import services
from zuzhi.tickets.escalation import escalate_overdue
from zuzhi.tickets.models import TicketState, TicketType

from .conftest import NOW


def login(client, user):
    client.force_login(user)
    return client


def test_my_tickets_open_first_with_one_tap_accept_and_resolve(world, client):
    done = world.new_ticket(description="早先的诉求", now=NOW - datetime.timedelta(days=5))
    done = services.ticket_accept(actor=world.member.user, ticket=done)
    services.ticket_resolve(actor=world.member.user, ticket=done, resolution="已办")
    ticket = world.new_ticket(description="楼道灯坏了")
    login(client, world.member.user)
    page = client.get("/tickets/mine/").content.decode()
    assert page.index("楼道灯坏了") < page.index("早先的诉求")
    assert f"/tickets/{ticket.pk}/accept/" in page
    answer = client.post(f"/tickets/{ticket.pk}/accept/", {"next": "/tickets/mine/"})
    assert answer.status_code == 302 and answer["Location"] == "/tickets/mine/"
    assert f"/tickets/{ticket.pk}/resolve/" in client.get("/tickets/mine/").content.decode()
    client.post(f"/tickets/{ticket.pk}/resolve/", {"resolution": "换了灯泡"})
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RESOLVED


def test_refused_action_shows_the_rule(world, client):
    ticket = world.new_ticket()
    login(client, world.unit_secretary)
    answer = client.post(f"/tickets/{ticket.pk}/accept/", follow=True)
    assert "只有" in answer.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == TicketState.NEW


def test_member_enters_a_request_for_own_household(world, client):
    login(client, world.member.user)
    form = client.get("/tickets/new/").content.decode()
    assert "王大爷" in form and "李大妈" not in form
    answer = client.post(
        "/tickets/new/",
        {"household": world.household.pk, "type": world.daily.pk, "description": "修水管"},
    )
    assert answer.status_code == 302
    assert world.household.tickets.get().description == "修水管"


def test_community_list_filters_and_detail_steps(world, client):
    ticket = world.new_ticket()
    services.ticket_accept(actor=world.community, ticket=ticket)
    login(client, world.town)
    assert "王大爷" in client.get("/tickets/").content.decode()
    assert "王大爷" not in client.get("/tickets/?state=closed").content.decode()
    assert "王大爷" not in client.get("/tickets/?escalated=on").content.decode()
    detail = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "提交诉求" in detail and "受理" in detail and "关闭原因" in detail


def test_overdue_filter(world, client):
    world.new_ticket(now=NOW - datetime.timedelta(days=30))
    login(client, world.community)
    assert "王大爷" in client.get("/tickets/?overdue=on").content.decode()


@pytest.mark.parametrize("who", ["other_member", "other_community", "town_b_staff"])
def test_privacy_pages(world, client, who):
    ticket = world.new_ticket()
    person = getattr(world, who)
    login(client, getattr(person, "user", person))
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 404
    assert "王大爷" not in client.get("/tickets/").content.decode()
    assert "王大爷" not in client.get("/tickets/mine/").content.decode()


def test_team_page_for_the_leader(world, client):
    ticket = services.ticket_accept(actor=world.member.user, ticket=world.new_ticket())
    services.ticket_pass_to_team(actor=world.member.user, ticket=ticket, team=world.team)
    login(client, world.leader.user)
    page = client.get(f"/tickets/teams/{world.team.pk}/").content.decode()
    assert "待团队成员承接" in page and "王大爷" in page
    assert "矛盾调解团队" in client.get("/tickets/teams/").content.decode()
    login(client, world.team_member.user)
    client.post(f"/tickets/{ticket.pk}/take/", {"next": f"/tickets/teams/{world.team.pk}/"})
    ticket.refresh_from_db()
    assert ticket.taken_by == world.team_member


def test_team_created_on_a_joint_branch(world, client):
    login(client, world.county_staff)
    answer = client.post(
        f"/tickets/teams/new/?organization={world.joint.pk}",
        {
            "name": "问题处理团队",
            "specialty": "problem",
            "leader": world.leader.pk,
            "members": [world.member.pk],
            "active": "on",
        },
    )
    assert answer.status_code == 302
    assert world.member.service_teams.get().name == "问题处理团队"


def test_county_edits_the_deadlines(world, client):
    login(client, world.town)
    assert client.get(f"/tickets/types/{world.daily.pk}/").status_code == 404
    login(client, world.county_staff)
    answer = client.post(
        f"/tickets/types/{world.daily.pk}/",
        {"name": "日常生活", "accept_hours": 12, "resolve_hours": 48, "order": 1, "active": "on"},
    )
    assert answer.status_code == 302
    assert TicketType.objects.get(pk=world.daily.pk).accept_hours == 12


def test_escalated_tickets_on_the_home_todo(world):
    world.new_ticket()
    escalate_overdue(now=NOW + datetime.timedelta(days=1))
    labels = [i.label for i in todo_items(user=world.unit_secretary)]
    assert "逾期上报到支部书记的联户诉求" in labels
    assert not [i for i in todo_items(user=world.community) if "联户诉求" in i.label]


@pytest.mark.parametrize("url", ["/tickets/mine/", "/tickets/"])
def test_list_pages_queries_bounded(world, client, url):
    world.new_ticket()
    login(client, world.member.user if "mine" in url else world.town)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(8):
        ticket = world.new_ticket()
        ticket = services.ticket_accept(actor=world.member.user, ticket=ticket)
        services.ticket_pass_to_team(actor=world.member.user, ticket=ticket, team=world.team)
        world.new_ticket()
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_resolve_with_a_photo_and_download_it_within_the_scope(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zuzhi.core.models import AuditAction, AuditLog

    ticket = services.ticket_accept(actor=world.member.user, ticket=world.new_ticket())
    login(client, world.member.user)
    bad = SimpleUploadedFile("病毒.exe", b"MZ")
    client.post(f"/tickets/{ticket.pk}/resolve/", {"resolution": "修好了", "attachment": bad})
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ACCEPTED  # refused: the type is not allowed
    photo = SimpleUploadedFile("灯.jpg", b"\xff\xd8\xff")
    client.post(f"/tickets/{ticket.pk}/resolve/", {"resolution": "修好了", "attachment": photo})
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RESOLVED
    attachment = ticket.attachments.get()
    assert attachment.event.kind == "resolve"
    assert (
        f"/tickets/attachments/{attachment.pk}/"
        in client.get(f"/tickets/{ticket.pk}/").content.decode()
    )
    answer = client.get(f"/tickets/attachments/{attachment.pk}/")
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == b"\xff\xd8\xff"
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, target_id=str(ticket.pk)).exists()
    login(client, world.other_community)
    assert client.get(f"/tickets/attachments/{attachment.pk}/").status_code == 404


def test_export_the_filtered_list_with_phones_masked(world, client):
    import io

    import openpyxl

    world.new_ticket()
    world.new_ticket(world.b_household)
    login(client, world.town)
    answer = client.get("/tickets/export/?state=new")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][4] == "王大爷"  # town B's ticket is not there
    assert rows[1][5] != "13900001111"


def test_whoever_handles_a_ticket_sees_the_phone_to_call_until_it_closes(world, client):
    from zuzhi.core.models import AuditLog

    ticket = world.new_ticket()
    login(client, world.member.user)
    seen = AuditLog.objects.count()
    assert 'href="tel:13900001111"' in client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'href="tel:13900001111"' in client.get("/tickets/mine/").content.decode()
    assert AuditLog.objects.count() > seen  # the unmasked view is audited
    # The branch secretary of the member sees the ticket but does not handle it: masked.
    login(client, world.unit_secretary)
    assert "13900001111" not in client.get(f"/tickets/{ticket.pk}/").content.decode()
    services.ticket_close(actor=world.community, ticket=ticket, note="重复")
    login(client, world.member.user)
    assert "13900001111" not in client.get(f"/tickets/{ticket.pk}/").content.decode()
