"""A list counts at most CappedPaginator.CAP rows: a province's member list shows its first
page without counting five million members, and says there are more."""

from zuzhi.core.paging import CappedPaginator
from zuzhi.testing.factories import make_member, valid_id_number


def test_member_list_count_stops_at_the_cap(county, client_as, county_user, monkeypatch):
    for n in range(5):
        make_member(county.village_a1, name=f"张{n}", id_number=valid_id_number(sequence=n + 1))
    monkeypatch.setattr(CappedPaginator, "CAP", 3)
    page = client_as(county_user).get("/members/?page=2")
    assert page.status_code == 200
    text = page.content.decode()
    assert "共 3+ 名" in text
    assert page.context["page"].paginator.num_pages == 1


def test_a_list_under_the_cap_shows_its_exact_count(county, client_as, county_user, monkeypatch):
    for n in range(2):
        make_member(county.village_a1, name=f"李{n}", id_number=valid_id_number(sequence=n + 1))
    monkeypatch.setattr(CappedPaginator, "CAP", 3)
    text = client_as(county_user).get("/members/").content.decode()
    assert "+ 名" not in text
