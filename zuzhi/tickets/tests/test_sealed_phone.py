"""The ticket's contact phone encrypted at rest (#19): stored as ciphertext, masked lists,
the export and the API list read the masked copy (no decryption), an exact lookup by the
full number finds the ticket, and whoever handles the ticket still sees the phone to call."""

import io

import openpyxl
from django.db import connection

from zuzhi.core import crypto
from zuzhi.tickets.models import Ticket

PHONE = "13900001111"


def _stored(ticket) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM tickets_ticket WHERE id = %s", [ticket.pk])
        return cursor.fetchone()[0]


def test_the_phone_is_stored_encrypted_and_found_by_the_full_number(world):
    ticket = world.new_ticket(phone="13700007777")
    assert crypto.is_sealed(_stored(ticket)) and "13700007777" not in _stored(ticket)
    assert Ticket.objects.get(contact_phone="137-0000-7777") == ticket
    assert Ticket.objects.get(pk=ticket.pk).contact_phone_masked == "137****7777"
    # Without a phone of its own the ticket takes the household's.
    other = world.new_ticket()
    assert Ticket.objects.get(contact_phone=PHONE) == other
    assert not Ticket.objects.filter(contact_phone="13900002222").exists()


def test_a_masked_list_export_and_api_list_decrypt_nothing(world, client, api_as):
    world.new_ticket()
    world.new_ticket(world.other_household)
    count = crypto.decryptions()
    client.force_login(world.town)
    page = client.get("/tickets/").content.decode()
    assert "王大爷" in page and PHONE not in page
    exported = client.get("/tickets/export/?state=new")
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    assert {row[5] for row in list(sheet.iter_rows(values_only=True))[1:]} == {
        "139****1111",
        "139****2222",
    }
    rows = api_as(world.town).get("/api/tickets").json()["items"]
    assert {r["contact_phone"] for r in rows} == {"139****1111", "139****2222"}
    assert crypto.decryptions() == count


def test_the_member_handling_the_ticket_sees_the_phone(world, client):
    ticket = world.new_ticket()
    client.force_login(world.member.user)
    assert f'href="tel:{PHONE}"' in client.get(f"/tickets/{ticket.pk}/").content.decode()
