from django.db import migrations

import zuzhi.core.fields


class Migration(migrations.Migration):
    """Candidates' ID numbers and phones encrypted at rest, step 1 of 3: the columns. The clear
    values stay in place (the column becomes text, its unique index goes) until step 2
    encrypts them."""

    dependencies = [
        ("recruitment", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="candidate",
            name="id_number_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True,
                max_length=32,
                source="id_number",
                verbose_name="公民身份号码（盲索引）",
            ),
        ),
        migrations.AddField(
            model_name="candidate",
            name="id_number_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=24, source="id_number", verbose_name="公民身份号码（脱敏）"
            ),
        ),
        migrations.AlterField(
            model_name="candidate",
            name="id_number",
            field=zuzhi.core.fields.EncryptedCharField(
                index_field="id_number_index",
                kind="id_number",
                masked_field="id_number_masked",
                max_length=18,
                verbose_name="公民身份号码",
            ),
        ),
        migrations.AddField(
            model_name="candidate",
            name="phone_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True, max_length=32, source="phone", verbose_name="联系电话（盲索引）"
            ),
        ),
        migrations.AddField(
            model_name="candidate",
            name="phone_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=24, source="phone", verbose_name="联系电话（脱敏）"
            ),
        ),
        migrations.AlterField(
            model_name="candidate",
            name="phone",
            field=zuzhi.core.fields.EncryptedCharField(
                blank=True,
                index_field="phone_index",
                kind="phone",
                masked_field="phone_masked",
                max_length=20,
                verbose_name="联系电话",
            ),
        ),
    ]
