from django.db import migrations

import zuzhi.core.fields


class Migration(migrations.Migration):
    """Step 3 of 3: the blind index indexed (exact search by a full number), built once over
    the filled column."""

    dependencies = [
        ("challenges", "0003_challengeapplication_contact_phone_encrypt_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="challengeapplication",
            name="contact_phone_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True,
                max_length=32,
                source="contact_phone",
                verbose_name="联系电话（盲索引）",
            ),
        ),
    ]
