from django.db import migrations

import zuzhi.core.fields


class Migration(migrations.Migration):
    """A talent's ID number and phone encrypted at rest, step 1 of 3: the columns. The clear
    values stay in place (the column becomes text; the one-per-county constraint and the
    number's index go) until step 2 encrypts them; step 3 puts the constraint back on the
    blind index."""

    dependencies = [
        ("talent", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="talent",
            name="one_talent_per_county",
        ),
        migrations.RemoveIndex(
            model_name="talent",
            name="talent_tale_id_numb_dc3cfc_idx",
        ),
        migrations.AddField(
            model_name="talent",
            name="id_number_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True,
                max_length=32,
                source="id_number",
                verbose_name="公民身份号码（盲索引）",
            ),
        ),
        migrations.AddField(
            model_name="talent",
            name="id_number_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=24, source="id_number", verbose_name="公民身份号码（脱敏）"
            ),
        ),
        migrations.AddField(
            model_name="talent",
            name="phone_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True, max_length=32, source="phone", verbose_name="联系电话（盲索引）"
            ),
        ),
        migrations.AddField(
            model_name="talent",
            name="phone_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=24, source="phone", verbose_name="联系电话（脱敏）"
            ),
        ),
        migrations.AlterField(
            model_name="talent",
            name="id_number",
            field=zuzhi.core.fields.EncryptedCharField(
                index_field="id_number_index",
                kind="id_number",
                masked_field="id_number_masked",
                max_length=18,
                verbose_name="公民身份号码",
            ),
        ),
        migrations.AlterField(
            model_name="talent",
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
