import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from zuzhi.core.schema import drop_index_only


class Migration(migrations.Migration):
    dependencies = [
        ("contests", "0002_contest_templates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="indicatorvalue",
            index=models.Index(
                fields=["entrant", "indicator", "scaled"], name="entrant_value_scores"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="indicatorvalue",
                    name="entrant",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="indicator_values",
                        to="contests.entrant",
                    ),
                ),
            ],
            database_operations=[
                drop_index_only(
                    "contests_indicatorvalue_entrant_id_a08107fa",
                    "contests_indicatorvalue",
                    "entrant_id",
                )
            ],
        ),
    ]
