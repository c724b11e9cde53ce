def test_county_fixture_paths(county):
    assert county.village_a1.path.startswith(county.town_a.path)
    assert county.village_a1.depth == 3
