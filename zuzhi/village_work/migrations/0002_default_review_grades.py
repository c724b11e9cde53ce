"""The default review grades (述职评议等次): 好 / 较好 / 一般 / 差. A default: a county renames
them or adds its own as data."""

from django.db import migrations

DEFAULT_GRADES = [("good", "好"), ("fairly_good", "较好"), ("average", "一般"), ("poor", "差")]


def load(apps, schema_editor):
    ReviewGrade = apps.get_model("village_work", "ReviewGrade")
    for position, (code, name) in enumerate(DEFAULT_GRADES, start=1):
        ReviewGrade.objects.get_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("village_work", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
