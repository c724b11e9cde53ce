from functools import partial

from django.db import migrations

from zuzhi.core.sealed_rows import decrypt_in_place, encrypt_in_place

APPLICATIONS = {"model": "subsidies.SubsidyApplication", "fields": ["bank_account"]}
LINES = {"model": "subsidies.SubsidyLine", "fields": ["payee_id_number", "bank_account"]}


class Migration(migrations.Migration):
    """Step 2 of 2: every clear bank account and payee ID number encrypted, with its blind
    index and masked copy, 1,000 rows per transaction. Needs the data key (ZUZHI_DATA_KEY or
    ZUZHI_DATA_KEY_FILE); stopped at any point, `zuzhi migrate` again skips the rows done."""

    atomic = False

    dependencies = [
        ("subsidies", "0003_sealed_columns"),
    ]

    operations = [
        migrations.RunPython(
            partial(encrypt_in_place, **APPLICATIONS),
            partial(decrypt_in_place, **APPLICATIONS),
            elidable=False,
        ),
        migrations.RunPython(
            partial(encrypt_in_place, **LINES), partial(decrypt_in_place, **LINES), elidable=False
        ),
    ]
