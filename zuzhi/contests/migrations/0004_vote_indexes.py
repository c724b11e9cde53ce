import django.db.models.deletion
from django.db import migrations, models

from zuzhi.core.schema import drop_index_only


class Migration(migrations.Migration):
    dependencies = [
        ("contests", "0003_value_scores_by_entrant"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="vote",
                    name="stage",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="votes",
                        to="contests.stage",
                    ),
                ),
                migrations.AlterField(
                    model_name="votequota",
                    name="stage",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contests.stage",
                    ),
                ),
            ],
            database_operations=[
                drop_index_only("contests_vote_stage_id_10f63e12", "contests_vote", "stage_id"),
                drop_index_only(
                    "contests_votequota_stage_id_4317759a", "contests_votequota", "stage_id"
                ),
            ],
        ),
    ]
