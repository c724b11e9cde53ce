from django.db import migrations

import zuzhi.core.fields


class Migration(migrations.Migration):
    """党组织书记电话 encrypted at rest, step 1 of 3: the columns. The clear values stay in place (the
    column becomes text) until step 2 encrypts them; the blind index is indexed in step 3,
    once filled."""

    dependencies = [
        ("orgs", "0006_org_figures_fill"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="secretary_phone_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=False,
                max_length=32,
                source="secretary_phone",
                verbose_name="书记电话（盲索引）",
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="secretary_phone_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=24, source="secretary_phone", verbose_name="书记电话（脱敏）"
            ),
        ),
        migrations.AlterField(
            model_name="organization",
            name="secretary_phone",
            field=zuzhi.core.fields.EncryptedCharField(
                blank=True,
                index_field="secretary_phone_index",
                kind="phone",
                masked_field="secretary_phone_masked",
                max_length=20,
                verbose_name="书记电话",
            ),
        ),
    ]
