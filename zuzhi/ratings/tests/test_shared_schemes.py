"""Star schemes on a shared deployment (多县共用): the root holds the default, a county may
adopt its own copy with the same stars, and county staff edit only their county's copy."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.orgs.models import Organization, OrgType, UnitCategory
from zuzhi.ratings import selectors
from zuzhi.ratings.models import StarAward, StarQuota, StarScheme
from zuzhi.ratings.services import award_propose, scheme_adopt, scheme_update
from zuzhi.testing.factories import OrganizationFactory, user_with_role

from .helpers import grant, scheme


@dataclass
class Deployment:
    root: Organization
    county_a: Organization
    county_b: Organization
    village_a: Organization
    village_b: Organization


def _county(root, code, name):
    county = OrganizationFactory(
        parent=root,
        code=code,
        name=name,
        org_type=OrgType.COUNTY_COMMITTEE,
        unit_category=UnitCategory.COUNTY,
    )
    town = OrganizationFactory(
        parent=county,
        code=f"{code}T",
        name=f"{name}城关镇党委",
        org_type=OrgType.COMMITTEE,
        unit_category=UnitCategory.TOWNSHIP,
    )
    return (
        county,
        town,
        OrganizationFactory(parent=town, code=f"{code}V", name=f"{name}李庄村党支部"),
    )


@pytest.fixture
def city(db):
    StarQuota.objects.all().delete()
    root = OrganizationFactory(
        code="S",
        name="示范市委",
        org_type=OrgType.COUNTY_COMMITTEE,
        unit_category=UnitCategory.OTHER,
    )
    # The state the migration leaves: the defaults held by the deployment's root.
    StarScheme.objects.update(organization=root)
    county_a, town_a, village_a = _county(root, "A", "甲县")
    county_b, _, village_b = _county(root, "B", "乙县")
    d = Deployment(root, county_a, county_b, village_a, village_b)
    d.town_a = town_a
    return d


def staff(org, name, role=Role.COUNTY_STAFF):
    return user_with_role(role, org, username=name)


def test_a_county_adopts_its_own_copy_and_its_branches_are_rated_by_it(city):
    default = scheme("five-star-branch")
    a1, a2 = staff(city.county_a, "a1"), staff(city.county_a, "a2")
    town_a = staff(city.town_a, "town_a", Role.TOWNSHIP_STAFF)
    root_staff, b1, b2 = (
        staff(city.root, "root"),
        staff(city.county_b, "b1"),
        staff(city.county_b, "b2"),
    )
    (before,) = grant(town_a, a1, default, city.village_a, "2025", "支部过硬")
    grant(b1, b2, default, city.village_b, "2025", "支部过硬")

    copy = scheme_adopt(actor=a2, scheme=default, organization=city.county_a)

    assert (copy.organization, copy.adopted_from) == (city.county_a, default)
    assert list(copy.stars.values_list("position", "name")) == list(
        default.stars.values_list("position", "name")
    )
    before.refresh_from_db()
    assert (before.scheme, before.star.scheme, before.star.position) == (copy, copy, 1)
    assert StarAward.objects.get(organization=city.village_b).scheme == default
    log = AuditLog.objects.get(target_type="ratings.starscheme", action=AuditAction.CREATE)
    assert log.after["awards_moved"] == 1 and log.org_path == city.county_a.path
    # County A's branch is rated by its copy, county B's still by the default.
    assert set(selectors.eligible_subjects(copy)) == {city.village_a}
    assert set(selectors.eligible_subjects(scheme("five-star-branch"))) == {city.village_b}
    assert selectors.scheme_get(user=town_a, code=default.code) == copy
    assert selectors.scheme_get(user=root_staff, code=default.code) == default
    assert [s.code for s in selectors.scheme_list(user=town_a) if s.name == "五星支部"] == [
        copy.code
    ]
    assert {s.code for s in selectors.scheme_list(user=root_staff) if s.name == "五星支部"} == {
        default.code,
        copy.code,
    }
    levels = selectors.subject_levels(user=root_staff, scheme=copy, period="2025")
    assert [(o, o.star_level) for o in levels] == [(city.village_a, 1)]
    # A new proposal for county A's branch names a star of the copy.
    with pytest.raises(ValidationError, match="已采用本县"):
        award_propose(
            actor=town_a,
            star=scheme("five-star-branch").stars.get(position=2),
            period="2026",
            subject=city.village_a,
            evidence="依据",
        )
    award_propose(
        actor=town_a,
        star=copy.stars.get(position=2),
        period="2026",
        subject=city.village_a,
        evidence="依据",
    )


def test_county_staff_edit_only_their_own_countys_copy(city):
    default = scheme("five-star-branch")
    a, b, root_staff = (
        staff(city.county_a, "a"),
        staff(city.county_b, "b"),
        staff(city.root, "root"),
    )
    town_a = staff(city.town_a, "town_a", Role.TOWNSHIP_STAFF)
    names = list(default.stars.values_list("name", flat=True))
    renamed = ["党建引领", *names[1:]]
    with pytest.raises(Http404):
        scheme_update(actor=a, scheme=default, star_names=renamed, quotas={})
    with pytest.raises(Http404):  # county B's staff cannot adopt for county A
        scheme_adopt(actor=b, scheme=default, organization=city.county_a)
    with pytest.raises(Http404):
        scheme_adopt(actor=town_a, scheme=default, organization=city.county_a)
    copy_a = scheme_adopt(actor=a, scheme=default, organization=city.county_a)
    copy_b = scheme_adopt(actor=b, scheme=default, organization=city.county_b)
    with pytest.raises(ValidationError, match="已采用"):
        scheme_adopt(actor=a, scheme=default, organization=city.county_a)
    with pytest.raises(ValidationError, match="默认"):
        scheme_adopt(actor=a, scheme=copy_a, organization=city.county_a)
    with pytest.raises(Http404):
        scheme_update(actor=a, scheme=copy_b, star_names=renamed, quotas={})
    with pytest.raises(Http404):
        scheme_update(actor=town_a, scheme=copy_a, star_names=renamed, quotas={})
    scheme_update(actor=a, scheme=copy_a, star_names=renamed, quotas={})
    assert copy_a.stars.get(position=1).name == "党建引领"
    assert copy_b.stars.get(position=1).name == names[0]
    assert default.stars.get(position=1).name == names[0]
    with pytest.raises(ValidationError, match="应为 5 颗星"):  # within the same stars
        scheme_update(actor=a, scheme=copy_a, star_names=[*renamed, "第六颗"], quotas={})
    scheme_update(actor=root_staff, scheme=default, star_names=["全域", *names[1:]], quotas={})
    assert copy_a.stars.get(position=1).name == "党建引领"


def test_settings_pages_follow_the_same_boundary(city, client):
    default = scheme("five-star-branch")
    a, b = staff(city.county_a, "a"), staff(city.county_b, "b")
    client.force_login(a)
    page = client.get(reverse("ratings:settings", args=[default.code]))
    assert page.status_code == 200 and "为甲县采用本县方案" in page.content.decode()
    assert 'name="star_' not in page.content.decode()  # the default is not county A's to edit
    answer = client.post(
        reverse("ratings:adopt", args=[default.code]), {"organization": city.county_a.pk}
    )
    copy = StarScheme.objects.get(organization=city.county_a)
    assert answer.url == reverse("ratings:settings", args=[copy.code])
    assert 'name="star_' in client.get(answer.url).content.decode()
    client.force_login(b)
    assert client.get(reverse("ratings:settings", args=[copy.code])).status_code == 404
    refused = client.post(
        reverse("ratings:adopt", args=[default.code]), {"organization": city.county_a.pk}
    )
    assert refused.status_code == 404
    assert StarScheme.objects.filter(adopted_from=default).count() == 1


def test_the_migration_gives_the_schemes_to_the_root(city):
    from importlib import import_module

    from django.apps import apps

    StarScheme.objects.update(organization=None)
    import_module("zuzhi.ratings.migrations.0003_scheme_organization").schemes_to_root(apps, None)
    assert set(StarScheme.objects.values_list("organization", flat=True)) == {city.root.pk}


def test_the_api_adopts_for_the_own_county_only(city, client):
    from zuzhi.accounts.services import token_issue

    default = scheme("five-star-branch")
    a, b = staff(city.county_a, "a"), staff(city.county_b, "b")

    def adopt(user, org):
        return client.post(
            f"/api/ratings/schemes/{default.code}/adopt",
            {"organization_id": org.pk},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user)}",
        )

    assert adopt(b, city.county_a).status_code == 404
    created = adopt(a, city.county_a)
    assert created.status_code == 201
    assert (created.json()["organization_id"], created.json()["adopted_from"]) == (
        city.county_a.pk,
        default.code,
    )
    assert adopt(a, city.county_a).status_code == 400
    schemes = client.get(
        "/api/ratings/schemes", HTTP_AUTHORIZATION=f"Bearer {token_issue(user=a)}"
    ).json()
    assert [s["code"] for s in schemes if s["name"] == "五星支部"] == [created.json()["code"]]
