"""The quarterly publication (季度晾晒, /gongshi/): published organization results for everyone,
with the red and black lists and the change of rank from the index's previous quarter; never a
draft, never a contest of people, nothing personal, no session."""

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from zuzhi.contests import selectors as contest_selectors
from zuzhi.contests import services
from zuzhi.contests.models import StageKind
from zuzhi.testing.factories import make_member, valid_id_number

LIST = reverse("overview_public:list")
INDEX = "村级党建晾晒指数"


def _index(actor, organizer, *, name, period, track="village", entrants=None, values=None):
    """A contest scored on one raw indicator, red and black lists of one each, its entrants
    given `values` in entrant order."""
    contest = services.contest_create(
        actor=actor,
        organization=organizer,
        data={
            "name": name,
            "track": track,
            "period_label": period,
            "red_list_size": 1,
            "black_list_size": 1,
        },
        stages=[
            {
                "kind": StageKind.INDICATORS,
                "name": "指标",
                "weight": D(100),
                "indicators": [{"name": "综合", "weight": D(100), "method": "raw"}],
            }
        ],
    )
    if entrants is None:
        services.entrants_add_eligible(actor=actor, contest=contest)
    else:
        for member in entrants:
            services.entrant_add(actor=actor, contest=contest, member=member)
    services.contest_start(actor=actor, contest=contest)
    if values is not None:
        _score(actor, contest, values)
    return contest


def _score(actor, contest, values):
    leaf = contest_selectors.leaf_indicators(contest.stages.get(kind=StageKind.INDICATORS))[0]
    for entrant, value in zip(contest.entrants.order_by("number"), values, strict=True):
        services.indicator_value_set(actor=actor, entrant=entrant, indicator=leaf, value=D(value))
    return services.result_compute(actor=actor, contest=contest)


def _publish(actor, contest):
    version = contest.versions.get(status="draft")
    return services.result_publish(actor=actor, version=version)


@pytest.fixture
def quarters(county, county_user):
    """The same index in two quarters (villages A1, A2, B1 in entrant order): Q2 ranks A1, A2,
    B1; Q3 ranks B1, A2, A1."""
    q2 = _index(
        county_user,
        county.county,
        name=f"2026年第二季度 {INDEX}",
        period="2026年第二季度",
        values=[90, 80, 70],
    )
    _publish(county_user, q2)
    q3 = _index(
        county_user,
        county.county,
        name=f"2026年第三季度 {INDEX}",
        period="2026年第三季度",
        values=[60, 85, 95],
    )
    _publish(county_user, q3)
    return q2, q3


def _ranks(response) -> dict[str, tuple[int, str]]:
    """{organization: (rank, change text)} read from the rows of the page's context."""
    p = response.context["p"]
    return {r.organization: (r.rank, r.change) for r in p.rows}


def test_the_list_shows_published_organization_contests_without_login(quarters, client):
    q2, q3 = quarters
    response = Client().get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert q2.name in html and q3.name in html
    assert reverse("overview_public:detail", args=[q3.pk]) in html


def test_ranks_lists_and_the_change_from_last_quarter(quarters, county):
    _, q3 = quarters
    response = Client().get(reverse("overview_public:detail", args=[q3.pk]))
    assert response.status_code == 200
    ranks = _ranks(response)
    assert ranks == {
        county.village_b1.name: (1, 2),  # third last quarter, first now
        county.village_a2.name: (2, 0),
        county.village_a1.name: (3, -2),
    }
    p = response.context["p"]
    assert p.previous_label == "2026年第二季度"
    assert [r.organization for r in p.red] == [county.village_b1.name]
    assert [r.organization for r in p.black] == [county.village_a1.name]
    html = response.content.decode()
    assert "↑2" in html and "↓2" in html and "持平" in html
    table = html.split('id="ranks"')[1]
    assert table.count("ov-badge-red") == 1 and table.count("ov-badge-black") == 1


def _listed(response) -> list[str]:
    return [r.organization for r in response.context["page"].object_list]


def test_a_reader_finds_their_village_by_part_of_its_name(quarters, county):
    _, q3 = quarters
    url = reverse("overview_public:detail", args=[q3.pk])
    response = Client().get(url, {"q": "庄村"})
    assert _listed(response) == [county.village_a2.name, county.village_a1.name]
    html = response.content.decode()
    assert county.village_b1.name not in html.split('id="ranks"')[1]
    # The lists above the table stay whole.
    assert [r.organization for r in response.context["p"].red] == [county.village_b1.name]
    none = Client().get(url, {"q": "不存在的村"})
    # The words typed are not repeated in the page's text: a link with made-up words would
    # otherwise put them on an official page.
    assert _listed(none) == [] and "没有找到名称含所填文字的党组织" in none.content.decode()
    assert none.content.decode().count("不存在的村") == 1  # the search box's own value
    hostile = Client().get(url, {"q": '"><b>x</b>'}).content.decode()
    assert "<b>x</b>" not in hostile and "&quot;&gt;&lt;b&gt;" in hostile


def test_the_ranks_come_a_page_at_a_time(quarters, county, monkeypatch):
    from zuzhi.overview import public_views

    monkeypatch.setattr(public_views, "RANKS_PER_PAGE", 2)
    _, q3 = quarters
    url = reverse("overview_public:detail", args=[q3.pk])
    first = Client().get(url)
    assert _listed(first) == [county.village_b1.name, county.village_a2.name]
    assert "下一页" in first.content.decode()
    assert _listed(Client().get(url, {"page": 2})) == [county.village_a1.name]
    # A search keeps its words on the pager's links.
    assert "q=%E6%9D%91&amp;page=2" in Client().get(url, {"q": "村"}).content.decode()


def test_the_first_quarter_of_an_index_shows_no_change(quarters):
    q2, _ = quarters
    response = Client().get(reverse("overview_public:detail", args=[q2.pk]))
    assert response.context["p"].previous_label == ""
    assert {change for _, change in _ranks(response).values()} == {None}
    assert "<th>变化</th>" not in response.content.decode()


def test_a_name_with_a_full_width_space_finds_its_last_quarter(county, county_user):
    names = [f"2026年第{q}季度\u3000{INDEX}" for q in "二三"]
    q2 = _index(
        county_user, county.county, name=names[0], period="2026年第二季度", values=[1, 2, 3]
    )
    _publish(county_user, q2)
    q3 = _index(
        county_user, county.county, name=names[1], period="2026年第三季度", values=[3, 2, 1]
    )
    _publish(county_user, q3)
    response = Client().get(reverse("overview_public:detail", args=[q3.pk]))
    assert response.context["p"].previous_label == "2026年第二季度"


def test_another_index_of_the_same_organizer_is_not_last_quarter(quarters, county, county_user):
    other = _index(
        county_user,
        county.county,
        name="2026年第四季度 村级产业指数",
        period="2026年第四季度",
        values=[1, 2, 3],
    )
    _publish(county_user, other)
    response = Client().get(reverse("overview_public:detail", args=[other.pk]))
    assert response.context["p"].previous_label == ""


def test_a_draft_only_contest_is_not_found_and_not_listed(county, county_user):
    draft = _index(
        county_user,
        county.county,
        name="2026年第三季度 未发布指数",
        period="2026年第三季度",
        values=[1, 2, 3],
    )
    assert draft.versions.get().status == "draft"
    assert Client().get(reverse("overview_public:detail", args=[draft.pk])).status_code == 404
    assert draft.name not in Client().get(LIST).content.decode()


def test_a_correction_replaces_the_published_version(quarters, county, county_user):
    _, q3 = quarters
    services.result_revise(actor=county_user, contest=q3, reason="A1 的数据录错")
    _score(county_user, q3, [99, 85, 95])
    detail = reverse("overview_public:detail", args=[q3.pk])
    # While the correction is a draft, the published version stays.
    assert _ranks(Client().get(detail))[county.village_a1.name] == (3, -2)
    _publish(county_user, q3)
    response = Client().get(detail)
    assert response.context["p"].version.number == 2
    assert _ranks(response)[county.village_a1.name] == (1, 0)
    assert "已更正" in response.content.decode()


def test_a_contest_of_people_is_never_public(county, county_user):
    phone, id_number = "13900001111", valid_id_number(sequence=777)
    person = make_member(county.village_a1, name="赵红梅", id_number=id_number, phone=phone)
    other = make_member(county.village_a2, name="钱卫东", id_number=valid_id_number(sequence=778))
    contest = _index(
        county_user,
        county.county,
        name="2026年第三季度 最美共产党员",
        period="2026年第三季度",
        track="member",
        entrants=[person, other],
        values=[90, 80],
    )
    _publish(county_user, contest)
    assert Client().get(reverse("overview_public:detail", args=[contest.pk])).status_code == 404
    html = Client().get(LIST).content.decode()
    for secret in ("赵红梅", "钱卫东", phone, id_number, contest.name):
        assert secret not in html


def test_an_organization_page_holds_nothing_personal(quarters, county):
    _, q3 = quarters
    member = make_member(county.village_a1, name="孙立新", phone="13700002222")
    html = Client().get(reverse("overview_public:detail", args=[q3.pk])).content.decode()
    for secret in (member.name, member.phone, member.id_number):
        assert secret not in html


def test_the_pages_read_no_session_and_may_be_cached(quarters, county_user, client):
    _, q3 = quarters
    urls = (LIST, reverse("overview_public:detail", args=[q3.pk]))
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 200
        # No session opened, no cookie set: one answer for every visitor, kept by a cache.
        assert "Cookie" not in response.get("Vary", "")
        assert not response.cookies
        assert "public" in response["Cache-Control"]
    # A signed-in visitor reads the same page, and no cookie of theirs rides on an answer a
    # shared cache may keep and hand to the next reader.
    client.force_login(county_user)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and not response.cookies


def test_the_detail_page_is_two_queries(quarters, django_assert_max_num_queries):
    _, q3 = quarters
    with django_assert_max_num_queries(2):
        Client().get(reverse("overview_public:detail", args=[q3.pk]))
