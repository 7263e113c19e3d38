"""Loads version v1 of the reference data (people/reference/v1)."""

from django.db import migrations


def load(apps, schema_editor):
    from yep.people.services.reference import load_reference_data

    load_reference_data("v1", apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
