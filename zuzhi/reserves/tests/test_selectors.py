from zuzhi.reserves import selectors as sel
from zuzhi.testing.factories import valid_id_number


def test_scope_by_role(county, county_user, town_a_user, branch_a1_user, make_reserve, town_b_user):
    a = make_reserve(county.village_a1)
    b = make_reserve(county.village_b1, actor=town_b_user, id_number=valid_id_number(sequence=900))
    assert set(sel.candidate_list(user=county_user)) == {a, b}
    assert list(sel.candidate_list(user=town_a_user)) == [a]
    assert list(sel.candidate_list(user=branch_a1_user)) == []


def test_search_by_initials_name_and_full_id(county, county_user, make_reserve):
    zs = make_reserve(county.village_a1, name="曾小华", id_number=valid_id_number(sequence=11))
    other = make_reserve(county.village_a2, name="王芳", id_number=valid_id_number(sequence=12))
    assert list(sel.candidate_list(user=county_user, q="zxh")) == [zs]
    assert list(sel.candidate_list(user=county_user, q="cxh")) == [zs]
    assert list(sel.candidate_list(user=county_user, q="王")) == [other]
    assert list(sel.candidate_list(user=county_user, q=other.id_number)) == [other]


def test_filters_and_counts(county, county_user, make_reserve, town_b_user):
    a = make_reserve(county.village_a1, source="veteran", id_number=valid_id_number(sequence=21))
    make_reserve(county.village_b1, actor=town_b_user, id_number=valid_id_number(sequence=22))
    assert list(sel.candidate_list(user=county_user, township=county.town_a)) == [a]
    assert list(sel.candidate_list(user=county_user, source="veteran")) == [a]
    counts = sel.candidate_counts(qs=sel.candidate_list(user=county_user))
    assert counts["total"] == 2 and counts["candidate"] == 2 and counts["exited"] == 0
