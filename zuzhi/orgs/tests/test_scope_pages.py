"""Generated scope checks: every organization page that takes an id answers 404 outside scope.

New org URLs are picked up automatically, so a page added without scoping fails here.
"""

import pytest
from django.urls import reverse

from zuzhi.orgs import urls as org_urls

# URLs whose pk is not an organization's; they have their own scope tests.
OTHER_OBJECTS = {"rectification"}


def org_pk_url_names():
    return [
        p.name
        for p in org_urls.urlpatterns
        if "pk" in p.pattern.converters and p.name not in OTHER_OBJECTS
    ]


@pytest.mark.parametrize("name", org_pk_url_names())
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_township_gets_404(county, client_as, town_b_user, name, method):
    client = client_as(town_b_user)
    url = reverse(f"orgs:{name}", args=[county.village_a1.pk])
    response = getattr(client, method)(url, {"name": "越权修改"} if method == "post" else None)
    assert response.status_code in (404, 405)
    assert "李庄村" not in response.content.decode()
    county.village_a1.refresh_from_db()
    assert county.village_a1.name == "李庄村党支部"


@pytest.mark.parametrize("name", org_pk_url_names())
def test_branch_secretary_gets_404_for_sibling_branch(county, client_as, branch_a1_user, name):
    response = client_as(branch_a1_user).get(reverse(f"orgs:{name}", args=[county.village_a2.pk]))
    assert response.status_code in (404, 405)


@pytest.mark.parametrize("name", org_pk_url_names())
def test_own_township_can_open(county, client_as, town_a_user, name):
    response = client_as(town_a_user).get(reverse(f"orgs:{name}", args=[county.village_a1.pk]))
    assert response.status_code in (200, 405)


def test_generated_cases_cover_the_detail_page():
    assert {"detail", "edit", "history", "children"} <= set(org_pk_url_names())
