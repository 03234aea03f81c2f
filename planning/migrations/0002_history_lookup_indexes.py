"""Past views read "the latest history row per item up to a date"; without this index
they take seconds on SQLite (tree-and-history.md, finding 5). Raw SQL so the index
stays out of the historical models' state."""

from django.db import migrations

INDEXES = {
    "planning_historicalplanitem": "planning_hpi_id_date",
    "planning_historicalplan": "planning_hplan_id_date",
    "planning_historicalitemsupporter": "planning_hsup_id_date",
}


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX {name} ON {table} (id, history_date, history_id)",
            reverse_sql=f"DROP INDEX {name}",
        )
        for table, name in INDEXES.items()
    ] + [
        migrations.RunSQL(
            sql="CREATE INDEX planning_hpi_plan_date ON planning_historicalplanitem (plan_id, history_date)",
            reverse_sql="DROP INDEX planning_hpi_plan_date",
        )
    ]
