from django.db import migrations, models

from zuzhi.core.text import initials_index

BATCH = 2000


def recompute_initials(apps, schema_editor):
    """Index every reading of a polyphonic surname (曾国华: cgh and zgh), batch by batch in
    key order so that a registry of millions is never held in memory at once."""
    Member = apps.get_model("members", "Member")
    last = 0
    while True:
        batch = list(Member.objects.filter(pk__gt=last).order_by("pk").only("pk", "name")[:BATCH])
        if not batch:
            return
        for member in batch:
            member.name_initials = initials_index(member.name)
        Member.objects.bulk_update(batch, ["name_initials"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_member_month_only_dates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="member",
            name="name_initials",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=160),
        ),
        migrations.RunPython(recompute_initials, migrations.RunPython.noop),
    ]
