from django.db import migrations


def load(apps, schema_editor):
    from zuzhi.core.codes import code_tables_load

    code_tables_load(apps.get_model("core", "CodeItem"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
