"""A cadre section sees its subtree's cadres and, wherever it is, a user's own record: the own
record outside the section is named by id (core.scope.with_own_records), not ORed by user."""

import pytest

from zuzhi.cadres.models import Cadre
from zuzhi.core.roles import Role
from zuzhi.testing.factories import UserFactory, make_cadre, user_with_role

pytestmark = pytest.mark.django_db


def test_section_user_who_is_a_cadre_elsewhere_sees_section_and_own_record(county):
    section = user_with_role(Role.CADRE_STAFF, county.town_a)
    inside = make_cadre(county.town_a)
    other = make_cadre(county.town_b)
    own = make_cadre(county.town_b)
    own.user = section
    own.save()
    seen = set(Cadre.objects.visible_to(section).values_list("pk", flat=True))
    assert seen == {inside.pk, own.pk}
    assert other.pk not in seen


def test_a_cadre_without_a_section_sees_only_their_own_record(county):
    account = UserFactory()
    own = make_cadre(county.town_a)
    own.user = account
    own.save()
    make_cadre(county.town_a)
    assert list(Cadre.objects.visible_to(account).values_list("pk", flat=True)) == [own.pk]


def test_a_section_user_with_no_record_sees_the_section_only(county):
    section = user_with_role(Role.CADRE_STAFF, county.town_a)
    inside = make_cadre(county.town_a)
    make_cadre(county.town_b)
    assert list(Cadre.objects.visible_to(section).values_list("pk", flat=True)) == [inside.pk]
