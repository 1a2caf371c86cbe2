from django.db import migrations


def seed(apps, schema_editor):
    from engagement.services.bids import load_default_criteria

    load_default_criteria(apps)


class Migration(migrations.Migration):
    dependencies = [("engagement", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
