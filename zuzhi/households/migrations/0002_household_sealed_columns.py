from django.db import migrations

import zuzhi.core.fields


class Migration(migrations.Migration):
    """The head's ID number and the phone encrypted at rest, step 1 of 2: the columns. The
    clear values stay in place (the columns become text) until step 2 encrypts them. Neither
    is unique, so there is no third step."""

    dependencies = [
        ("households", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="head_id_number_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True,
                max_length=32,
                source="head_id_number",
                verbose_name="户主公民身份号码（盲索引）",
            ),
        ),
        migrations.AddField(
            model_name="household",
            name="head_id_number_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=24, source="head_id_number", verbose_name="户主公民身份号码（脱敏）"
            ),
        ),
        migrations.AddField(
            model_name="household",
            name="phone_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True, max_length=32, source="phone", verbose_name="联系电话（盲索引）"
            ),
        ),
        migrations.AddField(
            model_name="household",
            name="phone_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=24, source="phone", verbose_name="联系电话（脱敏）"
            ),
        ),
        migrations.AlterField(
            model_name="household",
            name="head_id_number",
            field=zuzhi.core.fields.EncryptedCharField(
                blank=True,
                index_field="head_id_number_index",
                kind="id_number",
                masked_field="head_id_number_masked",
                max_length=18,
                verbose_name="户主公民身份号码",
            ),
        ),
        migrations.AlterField(
            model_name="household",
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
