"""The points computed in the database match the rule as written out in Python
(`reference`), on a small county with every source (the `small_county` fixture)."""

import pytest

from zuzhi.points.selectors import branch_points, member_points

from .reference import YEAR, reference_points


@pytest.mark.parametrize("ranking", [False, True])
def test_database_points_match_the_reference(
    small_county, county_user, settings, ranking, django_assert_max_num_queries
):
    settings.ZUZHI_POINTS_INDIVIDUAL_RANKING = ranking
    rows = member_points(user=county_user, year=YEAR)
    with django_assert_max_num_queries(2):  # the count and the page, whatever the scope
        page = rows[0:10]
        assert rows.count() == 24
    every = list(rows)
    assert [r.member.pk for r in every[:10]] == [r.member.pk for r in page]
    expected = reference_points([r.member for r in every], YEAR)
    assert {r.member.pk: (r.lines, r.vetoed_by, r.total) for r in every} == expected
    assert any(v for _, v, _ in expected.values())  # the data set has a veto
    totals = [r.total for r in every]
    if ranking:
        assert totals == sorted(totals, reverse=True)
    else:
        keys = [(r.member.organization.path, r.member.name) for r in every]
        assert keys == sorted(keys)
    branches = {b.organization.pk: b for b in branch_points(user=county_user, year=YEAR)}
    for org_pk, b in branches.items():
        mine = [r for r in every if r.member.organization_id == org_pk]
        assert b.members == len(mine)
        assert b.average == round(sum(r.total for r in mine) / len(mine), 1)
        assert b.vetoed == sum(1 for r in mine if r.vetoed_by)
    assert len(branches) == 3


def test_points_page_and_export_read_the_database_rows(small_county, client, county_user):
    import io

    from python_calamine import CalamineWorkbook

    client.force_login(county_user)
    page = client.get("/points/", {"year": YEAR})
    assert page.status_code == 200 and "党员00" in page.content.decode()
    assert "第 1 / 1 页" in page.content.decode()
    export = client.get("/points/", {"year": YEAR, "export": "xlsx"})
    content = b"".join(export.streaming_content) if export.streaming else export.content
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 25
    branches = client.get("/points/", {"year": YEAR, "view": "branches"})
    assert branches.status_code == 200
