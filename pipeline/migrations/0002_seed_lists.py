from django.db import migrations


def seed(apps, schema_editor):
    from pipeline.lists import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
