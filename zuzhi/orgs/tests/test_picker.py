"""The organization picker (选择党组织): by name, short name or initials anywhere in the name,
never beyond its reach; the county-wide mode of a transfer shows name and township only."""

import pytest
from django.urls import reverse

from zuzhi.accounts.services import token_issue
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.orgs.models import OrgType, UnitCategory
from zuzhi.orgs.selectors import (
    OrgChoice,
    PickerMode,
    org_list,
    org_picker_search,
    transfer_target_search,
)
from zuzhi.testing.factories import OrganizationFactory, user_with_role


@pytest.fixture
def chengguan(county):
    """A township named as townships are: every name begins 中共示范县."""
    return OrganizationFactory(
        parent=county.county,
        code="TC",
        name="中共示范县城关镇委员会",
        short_name="城关镇",
        org_type=OrgType.COMMITTEE,
        unit_category=UnitCategory.TOWNSHIP,
    )


@pytest.fixture
def other_county(db):
    """A second county in the same deployment: a transfer's search stays in the clerk's own."""
    top = OrganizationFactory(
        code="C2", name="邻县县委", org_type=OrgType.COUNTY_COMMITTEE, unit_category="county"
    )
    town = OrganizationFactory(
        parent=top, code="C2T", name="邻县李庄镇党委", org_type=OrgType.COMMITTEE
    )
    return OrganizationFactory(parent=town, code="C2V", name="李庄村第二党支部")


def names(choices):
    return [c.name for c in choices]


@pytest.mark.parametrize("q", ["城关镇", "cgz", "CGZ", "城关", "TC", "zgsfxcgz"])
def test_a_township_is_found_by_short_name_or_initials_inside_the_name(chengguan, county_user, q):
    assert "中共示范县城关镇委员会" in names(org_picker_search(user=county_user, q=q))
    # The organization list, tree search and API share the rule.
    assert chengguan in org_list(user=county_user, q=q)


@pytest.mark.parametrize("q", ["张湾", "zwc", "VB1", "城郊"])
def test_a_township_clerks_picker_never_offers_another_township(
    county, town_a_user, branch_a1_user, q
):
    for user in (town_a_user, branch_a1_user):
        assert org_picker_search(user=user, q=q) == []


def test_choices_say_where_an_organization_sits(county, town_a_user):
    assert org_picker_search(user=town_a_user, q="李庄") == [
        OrgChoice(county.village_a1.pk, "李庄村党支部", "城关镇党委")
    ]


def test_a_parent_above_the_scope_is_not_named(county, branch_a1_user):
    assert org_picker_search(user=branch_a1_user, q="李庄") == [
        OrgChoice(county.village_a1.pk, "李庄村党支部", "")
    ]


def test_types_and_unit_categories_narrow_the_list(county, county_user):
    found = org_picker_search(user=county_user, q="党", org_types=[OrgType.COMMITTEE])
    assert set(names(found)) == {"城关镇党委", "城郊乡党委"}
    found = org_picker_search(user=county_user, q="党", unit_categories=[UnitCategory.GOVERNMENT])
    assert names(found) == ["县教育局党组织"]


def test_transfer_search_covers_the_county_with_name_and_township_only(
    county, town_b_user, other_county
):
    general = OrganizationFactory(
        parent=county.town_a, code="GA", name="李庄社区党总支", org_type=OrgType.GENERAL_BRANCH
    )
    deep = OrganizationFactory(parent=general, code="GA1", name="李庄社区第一党支部")
    found = transfer_target_search(user=town_b_user, q="李庄")
    # Township A's organizations, placed by their township; nothing of the other county.
    assert [(c.name, c.context) for c in found] == [
        ("李庄村党支部", "城关镇党委"),
        ("李庄社区党总支", "城关镇党委"),
        ("李庄社区第一党支部", "城关镇党委"),
    ]
    assert deep.pk in {c.id for c in found}
    assert set(OrgChoice.__dataclass_fields__) == {"id", "name", "context"}


def test_transfer_search_leaves_out_inactive_organizations(county, town_b_user):
    from zuzhi.core.scope import SYSTEM
    from zuzhi.orgs.services import org_update

    org_update(actor=SYSTEM, org=county.village_a1, data={"is_active": False})
    assert transfer_target_search(user=town_b_user, q="李庄") == []


def test_the_system_administrators_picker_searches_the_tree_they_manage(
    county, sysadmin_user, town_a_user, other_county
):
    found = org_picker_search(user=sysadmin_user, q="李庄", mode=PickerMode.TREE)
    assert [(c.name, c.context) for c in found] == [("李庄村党支部", "城关镇党委")]
    # Their own scope holds no business data; only the tree mode reaches the nodes.
    assert org_picker_search(user=sysadmin_user, q="李庄") == []
    assert org_picker_search(user=town_a_user, q="李庄", mode=PickerMode.TREE) == []


def _picker_url(**params):
    base = {"name": "organization", "id": "id_organization", "mode": "scope"}
    return reverse("orgs:picker"), base | params


def test_picker_page_lists_matches_and_clears_the_choice(county, client_as, town_a_user):
    url, params = _picker_url(organization_q="lzc")
    body = client_as(town_a_user).get(url, params).content.decode()
    assert "李庄村党支部" in body and "城关镇党委" in body
    assert f"pick={county.village_a1.pk}" in body
    assert 'id="id_organization" value="" hx-swap-oob="true"' in body
    url, params = _picker_url(organization_q="zwc")
    body = client_as(town_a_user).get(url, params).content.decode()
    assert "张湾村" not in body and "没有名称" in body


def test_picking_fills_the_hidden_id(county, client_as, town_a_user):
    url, params = _picker_url(pick=county.village_a1.pk)
    body = client_as(town_a_user).get(url, params).content.decode()
    assert f'name="organization" id="id_organization" value="{county.village_a1.pk}"' in body
    assert "已选：李庄村党支部（城关镇党委）" in body


def test_picking_outside_the_reach_is_a_logged_404(county, client_as, town_a_user):
    url, params = _picker_url(pick=county.village_b1.pk)
    assert client_as(town_a_user).get(url, params).status_code == 404
    assert AuditLog.objects.filter(
        action=AuditAction.PERMISSION_DENIED, actor=town_a_user, target_id=str(county.village_b1.pk)
    ).exists()


def test_county_mode_page_shows_nothing_but_name_and_township(county, client_as, town_b_user):
    url, params = _picker_url(mode="county", organization_q="李庄")
    body = client_as(town_b_user).get(url, params).content.decode()
    assert "李庄村党支部" in body and "城关镇党委" in body
    assert "VA1" not in body and "/orgs/" not in body.replace(reverse("orgs:picker"), "")


@pytest.mark.parametrize(
    "params",
    [
        {"name": 'x" onclick="a'},
        {"id": "<script>"},
        {"mode": "everything"},
        {"type": "bogus"},
        {"unit": "bogus"},
    ],
)
def test_a_malformed_picker_is_not_found(county, client_as, town_a_user, params):
    url, base = _picker_url()
    assert client_as(town_a_user).get(url, base | params).status_code == 404


def test_api_search_by_mode(county, client, town_a_user, town_b_user, sysadmin_user, chengguan):
    def search(user, **params):
        token = token_issue(user=user)
        response = client.get("/api/orgs/search", params, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
        return response.json()

    # Township A's own 城关镇党委 matches too; the county's other township does not.
    assert [i["name"] for i in search(town_a_user, q="cgz")] == ["城关镇党委"]
    county_staff = user_with_role(Role.COUNTY_STAFF, county.county)
    assert [i["name"] for i in search(county_staff, q="cgz")] == [
        "城关镇党委",
        "中共示范县城关镇委员会",
    ]
    assert search(town_b_user, q="lzc") == []
    assert search(town_b_user, q="lzc", mode="county") == [
        {"id": county.village_a1.pk, "name": "李庄村党支部", "context": "城关镇党委"}
    ]
    assert [i["name"] for i in search(sysadmin_user, q="lzc", mode="tree")] == ["李庄村党支部"]
    assert [i["name"] for i in search(town_a_user, q="党", type="committee")] == ["城关镇党委"]


def test_api_search_is_in_the_schema(client):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/orgs/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "mode", "type"}
