from django.db import migrations

import zuzhi.core.fields


def _companions(model_name: str, source: str, label: str, masked_length: int = 24) -> list:
    return [
        migrations.AddField(
            model_name=model_name,
            name=f"{source}_index",
            field=zuzhi.core.fields.BlindIndexField(
                db_index=True, max_length=32, source=source, verbose_name=f"{label}（盲索引）"
            ),
        ),
        migrations.AddField(
            model_name=model_name,
            name=f"{source}_masked",
            field=zuzhi.core.fields.MaskedField(
                max_length=masked_length, source=source, verbose_name=f"{label}（脱敏）"
            ),
        ),
    ]


class Migration(migrations.Migration):
    """Bank accounts and the payee's ID number encrypted at rest, step 1 of 2: the columns.
    The clear values stay in place (the columns become text) until step 2 encrypts them.
    Nothing here is unique, so there is no third step."""

    dependencies = [
        ("subsidies", "0002_line_payee"),
    ]

    operations = [
        *_companions("subsidyapplication", "bank_account", "银行账号", masked_length=32),
        *_companions("subsidyline", "bank_account", "银行账号", masked_length=32),
        *_companions("subsidyline", "payee_id_number", "收款人公民身份号码"),
        migrations.AlterField(
            model_name="subsidyapplication",
            name="bank_account",
            field=zuzhi.core.fields.EncryptedCharField(
                index_field="bank_account_index",
                kind="bank_account",
                masked_field="bank_account_masked",
                max_length=32,
                verbose_name="银行账号",
            ),
        ),
        migrations.AlterField(
            model_name="subsidyline",
            name="bank_account",
            field=zuzhi.core.fields.EncryptedCharField(
                blank=True,
                index_field="bank_account_index",
                kind="bank_account",
                masked_field="bank_account_masked",
                max_length=32,
                verbose_name="银行账号",
            ),
        ),
        migrations.AlterField(
            model_name="subsidyline",
            name="payee_id_number",
            field=zuzhi.core.fields.EncryptedCharField(
                blank=True,
                index_field="payee_id_number_index",
                kind="id_number",
                masked_field="payee_id_number_masked",
                max_length=18,
                verbose_name="收款人公民身份号码",
            ),
        ),
    ]
