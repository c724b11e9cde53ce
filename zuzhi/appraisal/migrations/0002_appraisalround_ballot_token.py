import secrets

from django.db import migrations, models

import zuzhi.appraisal.models


def fill_tokens(apps, schema_editor):
    AppraisalRound = apps.get_model("appraisal", "AppraisalRound")
    for round_ in AppraisalRound.objects.filter(ballot_token__isnull=True).only("pk"):
        round_.ballot_token = secrets.token_urlsafe(16)
        round_.save(update_fields=["ballot_token"])


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0001_initial")]

    # A column default would give every existing round the same token: add the column empty,
    # give each round its own, then make it required and unique.
    operations = [
        migrations.AddField(
            model_name="appraisalround",
            name="ballot_token",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="appraisalround",
            name="ballot_token",
            field=models.CharField(
                default=zuzhi.appraisal.models.new_ballot_token,
                editable=False,
                max_length=32,
                unique=True,
            ),
        ),
    ]
