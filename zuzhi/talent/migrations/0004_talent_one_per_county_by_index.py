from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 3 of 3: one talent per county and ID number again, now on the blind index."""

    dependencies = [
        ("talent", "0003_talent_encrypt_rows"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="talent",
            constraint=models.UniqueConstraint(
                fields=("county", "id_number_index"), name="one_talent_per_county"
            ),
        ),
    ]
