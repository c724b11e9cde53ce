from django.db import migrations

import zuzhi.core.fields


class Migration(migrations.Migration):
    """Village committee members' ID numbers encrypted at rest, step 1 of 3: the columns. The
    clear values stay in place (the column becomes text) until step 2 encrypts them; the
    one-current-term constraint is dropped until step 3 puts it on the blind index."""

    dependencies = [
        ("reserve_use", "0001_initial"),
    ]

    operations = [
        # The one-current-term rule moves to the blind index in step 3.
        migrations.RemoveConstraint(
            model_name="villagecommitteemember",
            name="uniq_current_village_committee_member",
        ),
        migrations.AddField(
            model_name="villagecommitteemember",
            name="id_number_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True,
                max_length=32,
                source="id_number",
                verbose_name="公民身份号码（盲索引）",
            ),
        ),
        migrations.AddField(
            model_name="villagecommitteemember",
            name="id_number_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=24, source="id_number", verbose_name="公民身份号码（脱敏）"
            ),
        ),
        migrations.AlterField(
            model_name="villagecommitteemember",
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
