from django.urls import reverse


def _menu_link(client) -> bool:
    page = client.get(reverse("home")).content.decode()
    return f'href="{reverse("village_work:roster")}"' in page


def test_township_staff_find_the_village_roster_in_the_menu(client_as, town_a_user):
    assert _menu_link(client_as(town_a_user))
    assert client_as(town_a_user).get(reverse("village_work:roster")).status_code == 200


def test_a_branch_secretary_does_not(client_as, branch_a1_user):
    assert not _menu_link(client_as(branch_a1_user))
