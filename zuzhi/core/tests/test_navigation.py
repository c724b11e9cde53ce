"""The menu offers each role what it can use (#12 §4): every link in it opens for that role,
and the pages a role cannot use (the audit log and the organization import for township and
branch clerks) are neither offered nor opened."""

import re

import pytest
from django.urls import reverse

from zuzhi.core.roles import Role
from zuzhi.testing.factories import user_with_role

AUDIT = reverse("audit:list")
ORG_IMPORT = reverse("imports:upload", args=["orgs"])
MEMBER_IMPORT = reverse("imports:upload", args=["members"])
ACCOUNTS = reverse("accounts:account_list")
JUDGING = reverse("contests:judging")
MEMBERS = reverse("members:list")


def menu_links(client) -> set[str]:
    """The links of the menu, and of the home page under it."""
    home = client.get("/").content.decode()
    return {
        link.split("?")[0] for link in re.findall(r'<a (?:class="[^"]*" )?href="([^"]+)"', home)
    }


@pytest.fixture
def role_user(request, county):
    if request.param == "judge_user":
        return user_with_role(Role.JUDGE, county.county)
    return request.getfixturevalue(request.param)


# role: (links the menu must offer, links it must not)
EXPECTED = {
    "county_user": ({MEMBERS, AUDIT, ORG_IMPORT}, {ACCOUNTS, MEMBER_IMPORT}),
    "town_a_user": ({MEMBERS, MEMBER_IMPORT}, {AUDIT, ORG_IMPORT, ACCOUNTS}),
    "branch_a1_user": ({MEMBERS, MEMBER_IMPORT}, {AUDIT, ORG_IMPORT, ACCOUNTS}),
    "auditor_user": ({AUDIT}, {MEMBERS, ORG_IMPORT, MEMBER_IMPORT, ACCOUNTS}),
    "sysadmin_user": ({ACCOUNTS}, {AUDIT, MEMBERS, ORG_IMPORT, MEMBER_IMPORT}),
    "judge_user": ({JUDGING}, {AUDIT, MEMBERS, ORG_IMPORT, MEMBER_IMPORT, ACCOUNTS}),
}


@pytest.mark.parametrize("role_user", list(EXPECTED), indirect=True)
def test_the_menu_offers_only_what_opens(request, client, role_user):
    offered, hidden = EXPECTED[request.node.callspec.params["role_user"]]
    client.force_login(role_user)
    links = menu_links(client)
    assert offered <= links and not (hidden & links)
    for url in links:
        assert client.get(url).status_code == 200, url
    # What the menu leaves out is refused by the page itself, with the same check.
    for url in hidden & {AUDIT, ORG_IMPORT, ACCOUNTS}:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role_user", ["town_a_user", "branch_a1_user"], indirect=True)
def test_township_and_branch_clerks_cannot_import_organizations(client, role_user):
    client.force_login(role_user)
    assert client.get(reverse("imports:template", args=["orgs"])).status_code == 404
    assert client.post(ORG_IMPORT).status_code == 404
    assert client.get(reverse("imports:template", args=["members"])).status_code == 200
