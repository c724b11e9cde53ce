from django.db import migrations

DEFAULT_RULES = [
    ("基础分", "base", "yearly", 60, None),
    ("参加组织生活", "bonus", "meeting_attended", 1, 20),
    ("无故缺席组织生活", "deduction", "meeting_absent", -2, None),
    ("民主评议优秀", "bonus", "appraisal_excellent", 10, None),
    ("民主评议基本合格", "deduction", "appraisal_basic", -10, None),
    ("民主评议不合格", "veto", "appraisal_unqualified", 0, None),
    ("志愿服务", "bonus", "manual", 2, 20),
    ("受到表彰", "bonus", "manual", 5, None),
    ("违反纪律受到批评", "deduction", "manual", -5, None),
]


def add_rules(apps, schema_editor):
    PointRule = apps.get_model("points", "PointRule")
    if not PointRule.objects.exists():
        PointRule.objects.bulk_create(
            PointRule(name=n, kind=k, source=s, points=p, yearly_cap=c)
            for n, k, s, p, c in DEFAULT_RULES
        )


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
