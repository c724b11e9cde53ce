from functools import partial

from django.db import migrations

from zuzhi.core.sealed_rows import decrypt_in_place, encrypt_in_place

FIELDS = {"model": "tickets.Ticket", "fields": ["contact_phone"]}


class Migration(migrations.Migration):
    """Step 2 of 3: every clear phone encrypted, with its blind index and masked copy, 1,000
    rows per transaction. Needs the data key (ZUZHI_DATA_KEY or ZUZHI_DATA_KEY_FILE); stopped
    at any point, `zuzhi migrate` again skips the rows done."""

    atomic = False

    dependencies = [
        ("tickets", "0006_ticket_contact_phone_sealed_columns"),
    ]

    operations = [
        migrations.RunPython(
            partial(encrypt_in_place, **FIELDS), partial(decrypt_in_place, **FIELDS), elidable=False
        ),
    ]
