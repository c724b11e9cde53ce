from django.db import migrations

COPIED = (
    "user_id",
    "name",
    "confirmed",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "last_used_at",
    "key",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
)


def _move(source, target, db):
    for old in source.objects.using(db).order_by("pk").iterator():
        new = target(**{name: getattr(old, name) for name in COPIED})
        new.save(using=db)
        # created_at is auto_now_add: the bound app keeps the day it was bound.
        target.objects.using(db).filter(pk=new.pk).update(created_at=old.created_at)
    source.objects.using(db).all().delete()


def seal(apps, schema_editor):
    """Each bound app's secret moves from django-otp's table, where it is in clear, to
    AuthenticatorApp, sealed (the key field encrypts on save). A session verified by the old
    device asks for a code again."""
    _move(
        apps.get_model("otp_totp", "TOTPDevice"),
        apps.get_model("accounts", "AuthenticatorApp"),
        schema_editor.connection.alias,
    )


def unseal(apps, schema_editor):
    _move(
        apps.get_model("accounts", "AuthenticatorApp"),
        apps.get_model("otp_totp", "TOTPDevice"),
        schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_authenticator_app"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(seal, unseal)]
