"""Talent work is the talent office's: its own county's records only; other sections of the
Organization Department, townships and the other county's office see nothing; a talent with
an account sees their own record."""

from zuzhi.talent.models import Talent


def test_each_office_sees_its_own_county_only(talent_world):
    w = talent_world
    assert list(Talent.objects.visible_to(w.office)) == [w.talent]
    assert list(Talent.objects.visible_to(w.other_office)) == [w.other_talent]


def test_other_sections_and_townships_see_nothing(talent_world):
    w = talent_world
    assert not Talent.objects.visible_to(w.county_staff).exists()
    assert not Talent.objects.visible_to(w.township).exists()


def test_a_talent_sees_their_own_record(talent_world):
    w = talent_world
    assert list(Talent.objects.visible_to(w.talent_user)) == [w.talent]
