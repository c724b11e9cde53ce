from django.db import migrations

import zuzhi.core.fields


class Migration(migrations.Migration):
    """ID numbers and phones of reserves and 雁归 talent encrypted at rest, step 1 of 3: the
    columns. The clear values stay in place (the columns become text) until step 2 encrypts
    them; the one-open-entry constraint is dropped until step 3 puts it on the blind index."""

    dependencies = [
        ("reserves", "0003_system_writes"),
    ]

    operations = [
        # The one-open-entry rule moves to the blind index in step 3.
        migrations.RemoveConstraint(
            model_name="reservecandidate",
            name="uniq_open_reserve_candidate",
        ),
        migrations.AddField(
            model_name="reservecandidate",
            name="id_number_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True,
                max_length=32,
                source="id_number",
                verbose_name="公民身份号码（盲索引）",
            ),
        ),
        migrations.AddField(
            model_name="reservecandidate",
            name="id_number_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=24, source="id_number", verbose_name="公民身份号码（脱敏）"
            ),
        ),
        migrations.AlterField(
            model_name="reservecandidate",
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
            model_name="reservecandidate",
            name="phone_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True, max_length=32, source="phone", verbose_name="联系电话（盲索引）"
            ),
        ),
        migrations.AddField(
            model_name="reservecandidate",
            name="phone_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=24, source="phone", verbose_name="联系电话（脱敏）"
            ),
        ),
        migrations.AlterField(
            model_name="reservecandidate",
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
        migrations.AddField(
            model_name="returningtalent",
            name="id_number_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True,
                max_length=32,
                source="id_number",
                verbose_name="公民身份号码（盲索引）",
            ),
        ),
        migrations.AddField(
            model_name="returningtalent",
            name="id_number_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=24, source="id_number", verbose_name="公民身份号码（脱敏）"
            ),
        ),
        migrations.AlterField(
            model_name="returningtalent",
            name="id_number",
            field=zuzhi.core.fields.EncryptedCharField(
                blank=True,
                index_field="id_number_index",
                kind="id_number",
                masked_field="id_number_masked",
                max_length=18,
                verbose_name="公民身份号码",
            ),
        ),
        migrations.AddField(
            model_name="returningtalent",
            name="phone_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True, max_length=32, source="phone", verbose_name="联系电话（盲索引）"
            ),
        ),
        migrations.AddField(
            model_name="returningtalent",
            name="phone_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=24, source="phone", verbose_name="联系电话（脱敏）"
            ),
        ),
        migrations.AlterField(
            model_name="returningtalent",
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
