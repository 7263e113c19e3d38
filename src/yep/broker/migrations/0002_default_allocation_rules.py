"""Seeds every local authority already on the register with the default allocation rules (broker/defaults.py)."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from yep.broker.defaults import DEFAULT_RULES

    organisation = apps.get_model("people", "Organisation")
    rule = apps.get_model("broker", "AllocationRule")
    for la in organisation.objects.filter(kind="la"):
        if not rule.objects.filter(la=la).exists():
            rule.objects.bulk_create(rule(la=la, **row) for row in DEFAULT_RULES)


class Migration(migrations.Migration):
    dependencies = [("broker", "0001_referrals_rules_lead_workers"), ("people", "0002_reference_v1")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
