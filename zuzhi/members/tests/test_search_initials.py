"""A member is found by the initials of the surname as a surname is read (曾国华 by zgh)."""

import pytest

from zuzhi.accounts.services import token_issue
from zuzhi.core.scope import SYSTEM
from zuzhi.members.selectors import member_list
from zuzhi.members.services import member_update
from zuzhi.testing.factories import make_member, valid_id_number


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("曾国华", "zgh"),
        ("曾国华", "cgh"),
        ("单雄信", "sxx"),
        ("解缙", "xj"),
        ("仇英", "qy"),
        ("覃春", "qc"),
        ("查良镛", "zly"),
        ("查良镛", "zl"),
        ("曾国华", "ZGH"),
    ],
)
def test_member_list_finds_every_reading(county, town_a_user, name, typed):
    make_member(county.village_a1, name=name)
    make_member(county.village_a1, name="王小明", id_number=valid_id_number(sequence=7))
    assert [m.name for m in member_list(user=town_a_user, q=typed)] == [name]


def test_a_renamed_member_is_found_by_the_new_readings(county, town_a_user):
    member = make_member(county.village_a1, name="王国华")
    member_update(actor=SYSTEM, member=member, data={"name": "曾国华"})
    assert [m.pk for m in member_list(user=town_a_user, q="zgh")] == [member.pk]


def test_the_member_list_page_and_api_find_zgh(county, town_a_user, town_b_user, client):
    member = make_member(county.village_a1, name="曾国华")
    client.force_login(town_a_user)
    page = client.get("/members/", {"q": "zgh"})
    assert "曾国华" in page.content.decode()
    token = token_issue(user=town_a_user)
    items = client.get("/api/members", {"q": "zgh"}, HTTP_AUTHORIZATION=f"Bearer {token}").json()[
        "items"
    ]
    assert [i["id"] for i in items] == [member.pk]
    other = token_issue(user=town_b_user)
    assert (
        client.get("/api/members", {"q": "zgh"}, HTTP_AUTHORIZATION=f"Bearer {other}").json()[
            "items"
        ]
        == []
    )
