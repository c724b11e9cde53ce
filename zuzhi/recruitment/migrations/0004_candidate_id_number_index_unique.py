from django.db import migrations

import zuzhi.core.fields


class Migration(migrations.Migration):
    """Step 3 of 3: one candidate per ID number again, now on the blind index."""

    dependencies = [
        ("recruitment", "0003_candidate_encrypt_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="candidate",
            name="id_number_index",
            field=zuzhi.core.fields.BlindIndexField(
                error_messages={"unique": "此人已在发展党员程序中。"},
                max_length=32,
                source="id_number",
                unique=True,
                verbose_name="公民身份号码（盲索引）",
            ),
        ),
    ]
