"""pg_trgm on PostgreSQL, for the near-duplicate actions and targets of the alignment report
(planning.duplicates, decision 0031). SQLite has no extensions: there the same threshold is
met by word trigrams worked out in Python."""

from django.db import migrations


def create_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("planning", "0017_evidence_and_merges")]

    # left in place when unapplied: other databases' objects may use it
    operations = [migrations.RunPython(create_extension, migrations.RunPython.noop, elidable=False)]
