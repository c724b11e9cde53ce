from django.urls import reverse


def _menu_link(client) -> bool:
    page = client.get(reverse("home")).content.decode()
    return f'href="{reverse("three_ones:list")}"' in page


def test_a_team_leader_finds_the_three_ones_in_the_menu(client_as, world):
    assert _menu_link(client_as(world.leader_a))
    assert client_as(world.leader_a).get(reverse("three_ones:list")).status_code == 200


def test_a_deputy_and_a_township_clerk_do_not(client_as, world, town_a_user):
    assert not _menu_link(client_as(world.deputy_a1_user))
    assert not _menu_link(client_as(town_a_user))


def test_the_cadre_section_has_it_once_in_its_cadre_menu(client_as, world):
    page = client_as(world.cadre_staff).get(reverse("home")).content.decode()
    assert page.count(f'href="{reverse("three_ones:list")}"') == 1
