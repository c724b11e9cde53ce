from django.db import migrations

import zuzhi.core.fields


class Migration(migrations.Migration):
    """Step 3 of 3: the blind index indexed (exact search by a full number), built once over
    the filled column."""

    dependencies = [
        ("orgs", "0008_organization_secretary_phone_encrypt_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organization",
            name="secretary_phone_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True,
                max_length=32,
                source="secretary_phone",
                verbose_name="书记电话（盲索引）",
            ),
        ),
    ]
