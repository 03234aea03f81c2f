"""Past views read links as they were: the same (id, history_date, history_id) lookup
as items (see 0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("planning", "0003_links_and_editions")]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX planning_hlink_id_date ON planning_historicallink (id, history_date, history_id)",
            reverse_sql="DROP INDEX planning_hlink_id_date",
        ),
    ]
