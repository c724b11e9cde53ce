from django.db import migrations

import zuzhi.core.fields


class Migration(migrations.Migration):
    """ID number encrypted at rest, step 1 of 3: the columns. The clear values stay in place
    (the column becomes text, the one-name-per-round constraint goes) until step 2 encrypts
    them."""

    dependencies = [
        ("joint_reviews", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="reviewitem",
            name="one_item_per_person",
        ),
        migrations.AddField(
            model_name="reviewitem",
            name="id_number_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True,
                max_length=32,
                source="id_number",
                verbose_name="公民身份号码（盲索引）",
            ),
        ),
        migrations.AddField(
            model_name="reviewitem",
            name="id_number_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=24, source="id_number", verbose_name="公民身份号码（脱敏）"
            ),
        ),
        migrations.AlterField(
            model_name="reviewitem",
            name="id_number",
            field=zuzhi.core.fields.EncryptedCharField(
                index_field="id_number_index",
                kind="id_number",
                masked_field="id_number_masked",
                max_length=18,
                verbose_name="公民身份号码",
            ),
        ),
    ]
