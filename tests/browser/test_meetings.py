"""A branch secretary records a committee meeting (the form lists the committee), corrects it
and prints the record."""

import datetime

import pytest

from zuzhi.core.roles import Role
from zuzhi.orglife.models import Meeting
from zuzhi.orgs.committee import committee_appoint
from zuzhi.testing.factories import make_member, user_with_role, valid_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_committee_meeting_recorded_edited_and_printed(page, live_server, login, county):
    user = user_with_role(Role.BRANCH_SECRETARY, county.village_a1, username="branch1")
    members = [
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
        for i in range(6)
    ]
    for member, position in [(members[0], "secretary"), (members[1], "organization")]:
        committee_appoint(
            actor=user,
            organization=county.village_a1,
            member=member,
            position=position,
            started_on=datetime.date(2024, 1, 1),
        )
    login(page, "branch1")
    page.goto(f"{live_server.url}/orglife/new/?org={county.village_a1.pk}&kind=theme_day")
    assert page.locator("input[name=present]").count() == 6
    page.select_option("#id_kind", "committee")
    page.wait_for_selector("text=参会支部委员")
    assert page.locator("input[name=present]").count() == 2
    page.fill("#id_topic", "研究发展党员工作")
    page.select_option("#id_host", str(members[0].pk))
    page.select_option("#id_recorder", str(members[1].pk))
    page.click("text=保存")
    page.wait_for_selector("text=到会（2）")
    meeting = Meeting.objects.get()
    assert meeting.kind == "committee" and meeting.recorder == members[1]
    page.click("text=修改")
    page.fill("#id_minutes", "一、确定发展对象。")
    page.click("text=保存")
    page.wait_for_selector("text=会议记录已修改")
    with page.expect_download() as download:
        page.click("text=打印会议记录（PDF）")
    assert download.value.suggested_filename.endswith(".pdf")
    # The committee roster is a section of the branch's page, loaded by htmx.
    page.goto(f"{live_server.url}/orgs/{county.village_a1.pk}/")
    page.wait_for_selector("#committee >> text=组织委员")
