"""The organizations' kept figures (组织概况) follow every service that changes their inputs:
each test compares them with the registry counted afresh."""

import datetime
import io

from django.core.management import call_command
from django.db.models import Count, Max, Q
from django.utils import timezone

from zuzhi.members.models import Member
from zuzhi.members.services import member_bulk_create, member_transfer, member_update
from zuzhi.orglife.models import Meeting
from zuzhi.orglife.services import meeting_delete, meeting_record, meeting_update
from zuzhi.orgs.models import OrgFigures
from zuzhi.orgs.selectors import HealthFlag, org_health
from zuzhi.testing.factories import make_member, member_data, valid_id_number


def kept(org):
    row = OrgFigures.objects.filter(organization=org).first()
    return (row.members, row.full_members, row.last_meeting_on) if row else (0, 0, None)


def counted(org):
    members = Member.objects.filter(organization=org).aggregate(
        n=Count("pk"), full=Count("pk", filter=Q(status="full"))
    )
    last = Meeting.objects.filter(organization=org).aggregate(last=Max("date"))["last"]
    return (members["n"], members["full"], last)


def test_registering_and_correcting_members_keeps_the_counts(county, town_a_user):
    org = county.village_a1
    assert kept(org) == (0, 0, None)
    make_member(org, name="甲", id_number=valid_id_number("19800101", 1))
    probationary = make_member(
        org,
        name="乙",
        id_number=valid_id_number("19800101", 2),
        status="probationary",
        full_date=None,
    )
    assert kept(org) == counted(org) == (2, 1, None)
    member_update(
        actor=town_a_user,
        member=probationary,
        data={"status": "full", "full_date": datetime.date(2026, 1, 5)},
    )
    assert kept(org) == counted(org) == (2, 2, None)


def test_a_bulk_registration_counts_every_organization(
    county, town_a_user, django_capture_on_commit_callbacks
):
    rows = [
        (county.village_a1, member_data(name=f"甲{i}", id_number=valid_id_number("19810101", i)))
        for i in range(3)
    ] + [(county.village_a2, member_data(name="乙", id_number=valid_id_number("19820101", 9)))]
    with django_capture_on_commit_callbacks(execute=True):
        member_bulk_create(actor=town_a_user, rows=rows)
    assert kept(county.village_a1) == counted(county.village_a1) == (3, 3, None)
    assert kept(county.village_a2) == counted(county.village_a2) == (1, 1, None)


def test_a_transfer_moves_the_count(county, town_a_user):
    member = make_member(county.village_a1, name="甲", id_number=valid_id_number("19800101", 1))
    member_transfer(
        actor=town_a_user,
        member=member,
        to_org=county.village_a2,
        transfer_date=timezone.localdate(),
        reason="工作调动",
    )
    assert kept(county.village_a1) == counted(county.village_a1) == (0, 0, None)
    assert kept(county.village_a2) == counted(county.village_a2) == (1, 1, None)


def test_meetings_keep_the_last_meeting_date(county, town_a_user):
    org = county.village_a1
    member = make_member(org, name="甲", id_number=valid_id_number("19800101", 1))
    today = timezone.localdate()
    first = meeting_record(
        actor=town_a_user,
        organization=org,
        kind="theme_day",
        date=today,
        topic="学习",
        attendee_ids=[member.pk],
    )
    older = meeting_record(
        actor=town_a_user,
        organization=org,
        kind="theme_day",
        date=today - datetime.timedelta(days=40),
        topic="学习",
        attendee_ids=[member.pk],
    )
    assert kept(org)[2] == counted(org)[2] == today
    meeting_update(
        actor=town_a_user,
        meeting=first,
        kind="theme_day",
        date=today - datetime.timedelta(days=10),
        topic="学习",
        attendee_ids=[member.pk],
    )
    assert kept(org)[2] == counted(org)[2] == today - datetime.timedelta(days=10)
    meeting_delete(actor=town_a_user, meeting=Meeting.objects.get(pk=first.pk), reason="录错了")
    assert kept(org)[2] == counted(org)[2] == older.date


def test_the_health_check_reads_the_kept_figures(county, town_a_user):
    org = county.village_a1
    for i in range(3):
        make_member(org, name=f"甲{i}", id_number=valid_id_number("19800101", i))
    OrgFigures.objects.filter(organization=org).update(full_members=2)
    flagged = dict(org_health(user=town_a_user))
    assert HealthFlag.FEW_FULL_MEMBERS in flagged[org]


def test_the_command_repairs_figures_written_around_the_services(county):
    make_member(county.village_a1, name="甲", id_number=valid_id_number("19800101", 1))
    make_member(county.village_a2, name="乙", id_number=valid_id_number("19800101", 2))
    OrgFigures.objects.filter(organization=county.village_a1).update(members=99)
    OrgFigures.objects.filter(organization=county.village_a2).delete()
    call_command("refresh-org-figures", stdout=io.StringIO())
    for node in (county.village_a1, county.village_a2, county.town_a):
        assert kept(node) == counted(node)
    assert kept(county.village_a2) == (1, 1, None)
