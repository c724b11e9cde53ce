import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("apartments", "0003_application_allocated"),
    ]

    operations = [
        migrations.AlterField(
            model_name="allocation",
            name="application",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="allocations",
                to="apartments.apartmentapplication",
                verbose_name="入住申请",
            ),
        ),
        migrations.AddConstraint(
            model_name="allocation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "cancelled"), _negated=True),
                fields=("application",),
                name="one_allocation_per_application",
                violation_error_message="该入住申请已分配房间，一份申请只能分配一次。",
            ),
        ),
    ]
