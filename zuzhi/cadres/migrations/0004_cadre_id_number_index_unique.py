from django.db import migrations

import zuzhi.core.fields


class Migration(migrations.Migration):
    """Step 3 of 3: one cadre per ID number again, now on the blind index."""

    dependencies = [
        ("cadres", "0003_cadre_encrypt_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="cadre",
            name="id_number_index",
            field=zuzhi.core.fields.BlindIndexField(
                error_messages={"unique": "该公民身份号码已登记为干部，一人只能有一份干部信息。"},
                max_length=32,
                source="id_number",
                unique=True,
                verbose_name="公民身份号码（盲索引）",
            ),
        ),
    ]
