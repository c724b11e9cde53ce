from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 3 of 3: one current term per person and village again, now on the blind index."""

    dependencies = [
        ("reserve_use", "0003_villagecommitteemember_encrypt_rows"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="villagecommitteemember",
            constraint=models.UniqueConstraint(
                condition=models.Q(("ended_on__isnull", True)),
                fields=("village", "id_number_index"),
                name="uniq_current_village_committee_member",
                violation_error_message="此人已在本村村民委员会任职。",
            ),
        ),
    ]
