from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 3 of 3: one open entry per person again, now on the blind index."""

    dependencies = [
        ("reserves", "0005_reserves_encrypt_rows"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="reservecandidate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["exited", "appointed"]), _negated=True),
                fields=("id_number_index",),
                name="uniq_open_reserve_candidate",
                violation_error_message="该公民身份号码已登记为后备力量，同一人不能重复登记。",
            ),
        ),
    ]
