"""Behaviour shared by every page."""

import pytest


@pytest.mark.parametrize(
    "name", ["members:list", "orgs:list", "orglife:list", "points:list", "ratings:list"]
)
def test_nul_in_a_search_box_is_a_400_not_a_500(county, county_user, client_as, name):
    from django.urls import reverse

    response = client_as(county_user).get(reverse(name), {"q": "李\x00"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()
