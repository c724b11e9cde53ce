"""Fill the organizations' figures (组织概况) from the registry as it stands."""

from django.db import migrations
from django.db.models import Count, Max, Q

CHUNK = 2000


def fill(apps, schema_editor):
    Organization = apps.get_model("orgs", "Organization")
    OrgFigures = apps.get_model("orgs", "OrgFigures")
    Member = apps.get_model("members", "Member")
    Meeting = apps.get_model("orglife", "Meeting")
    last = 0
    while ids := list(
        Organization.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]
    ):
        counts = {
            row["organization_id"]: row
            for row in Member.objects.filter(organization_id__in=ids)
            .order_by()
            .values("organization_id")
            .annotate(n=Count("pk"), full=Count("pk", filter=Q(status="full")))
        }
        meetings = dict(
            Meeting.objects.filter(organization_id__in=ids)
            .order_by()
            .values("organization_id")
            .annotate(last=Max("date"))
            .values_list("organization_id", "last")
        )
        OrgFigures.objects.bulk_create(
            OrgFigures(
                organization_id=i,
                members=counts.get(i, {}).get("n", 0),
                full_members=counts.get(i, {}).get("full", 0),
                last_meeting_on=meetings.get(i),
            )
            for i in ids
        )
        last = ids[-1]


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0005_org_figures"),
        ("members", "0006_member_user"),
        ("orglife", "0002_meeting_host_recorder"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
