from functools import partial

from django.db import migrations

from zuzhi.core.sealed_rows import decrypt_in_place, encrypt_in_place

CANDIDATES = {"model": "reserves.ReserveCandidate", "fields": ["id_number", "phone"]}
TALENT = {"model": "reserves.ReturningTalent", "fields": ["id_number", "phone"]}


class Migration(migrations.Migration):
    """Step 2 of 3: every clear ID number and phone encrypted, with its blind index and masked
    copy, 1,000 rows per transaction. Needs the data key (ZUZHI_DATA_KEY or
    ZUZHI_DATA_KEY_FILE); stopped at any point, `zuzhi migrate` again skips the rows done."""

    atomic = False

    dependencies = [
        ("reserves", "0004_reserves_sealed_columns"),
    ]

    operations = [
        migrations.RunPython(
            partial(encrypt_in_place, **CANDIDATES),
            partial(decrypt_in_place, **CANDIDATES),
            elidable=False,
        ),
        migrations.RunPython(
            partial(encrypt_in_place, **TALENT), partial(decrypt_in_place, **TALENT), elidable=False
        ),
    ]
