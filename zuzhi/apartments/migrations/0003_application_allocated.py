"""An allocation is made from an approved application, which it consumes (已分配). The
allocations made before this rule get an application of their own (补录), so that every
allocation has one; one used by several allocations keeps the first still holding it."""

from django.db import migrations, models

BACKFILLED = "（补录：分配时未登记入住申请）"


def backfill(apps, schema_editor):
    Allocation = apps.get_model("apartments", "Allocation")
    Application = apps.get_model("apartments", "ApartmentApplication")
    holder = {}  # application id → whether an allocation already holds it
    allocations = Allocation.objects.select_related("flat__building").order_by("allocated_at", "pk")
    for allocation in allocations.iterator():
        live = allocation.status != "cancelled"
        if allocation.application_id is not None and not (
            live and holder.get(allocation.application_id)
        ):
            holder[allocation.application_id] = holder.get(allocation.application_id) or live
            continue
        application = Application.objects.create(
            county_id=allocation.flat.building.county_id,
            talent_id=allocation.talent_id,
            building_id=allocation.flat.building_id,
            reason=BACKFILLED,
            applied_on=allocation.start,
            status="allocated" if live else "approved",
            decided_at=allocation.allocated_at,
            decided_by_id=allocation.allocated_by_id,
        )
        holder[application.pk] = live
        Allocation.objects.filter(pk=allocation.pk).update(application=application)
    held = [pk for pk, live in holder.items() if live]
    Application.objects.filter(pk__in=held).update(status="allocated")


class Migration(migrations.Migration):
    dependencies = [
        ("apartments", "0002_allocation_cancelled"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apartmentapplication",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "待审核"),
                    ("approved", "已同意待分配"),
                    ("rejected", "未同意"),
                    ("allocated", "已分配"),
                ],
                default="pending",
                max_length=12,
                verbose_name="审核状态",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
