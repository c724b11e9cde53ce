from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 3 of 3: one name per person and round again, now on the blind index."""

    dependencies = [
        ("joint_reviews", "0003_reviewitem_encrypt_rows"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="reviewitem",
            constraint=models.UniqueConstraint(
                fields=("round", "id_number_index"), name="one_item_per_person"
            ),
        ),
    ]
