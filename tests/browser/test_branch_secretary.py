"""A branch secretary records this month's meeting from a phone."""

import re

import pytest

from zuzhi.core.roles import Role
from zuzhi.orglife.models import Meeting
from zuzhi.testing.factories import make_member, user_with_role, valid_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_a_meeting_on_a_phone(phone_page, live_server, login, county):
    user_with_role(Role.BRANCH_SECRETARY, county.village_a1, username="branch1")
    for i in range(6):
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
    login(phone_page, "branch1")
    phone_page.click("text=记录 >> nth=0")
    # Wait for the form to load: Alpine has started on it by then. A box unticked before that
    # is ticked again by Alpine, and wait_for_function cannot wait under the CSP (it evals a
    # string), it only passes when Alpine is already there.
    phone_page.wait_for_url(re.compile(r"/orglife/new/\?org=\d+&kind="))
    phone_page.fill("#id_topic", "学习党章")
    phone_page.locator("input[name=present]").nth(2).uncheck()
    reason = phone_page.locator("input[placeholder='缺席原因']:visible")
    reason.wait_for()
    assert reason.count() == 1
    reason.fill("外出务工")
    phone_page.click("text=保存")
    phone_page.wait_for_selector("text=到会（5）")
    meeting = Meeting.objects.get()
    assert meeting.kind == "committee" and meeting.absences.get().reason == "外出务工"
