"""Ship Estyn's four-point scale as the self-evaluation framework in use (decision 0032),
with a history row for each row written, sealed as the application seals its own."""

from django.db import migrations
from django.utils import timezone

from config.history_seal import SEAL_FIELD, seal, sealed_fields

# a copy of planning.evaluation's ESTYN_* as they were when this shipped (a migration is frozen)
NAME = "Estyn’s four-point scale"
DESCRIPTION = "The scale Estyn, the education and training inspectorate for Wales, judges by."
LEVELS = [
    ("Excellent", "Very strong, sustained performance and practice."),
    ("Good", "Strong features, although minor aspects may require improvement."),
    ("Adequate and needs improvement", "Strengths outweigh weaknesses, but important aspects require improvement."),
    ("Unsatisfactory and needs urgent improvement", "Important weaknesses outweigh strengths."),
]
REASON = "Estyn’s four-point scale shipped as the default framework"

def _with_history(apps, model_name: str, row) -> None:
    history = apps.get_model("planning", f"Historical{model_name}")
    values = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
    entry = history(
        **values, history_date=timezone.now(), history_type="+", history_change_reason=REASON, history_user=None
    )
    entry.save()
    columns = [f.attname for f in sealed_fields(history)]
    stored = history._default_manager.filter(pk=entry.pk).values(*columns).get()
    history._default_manager.filter(pk=entry.pk).update(**{SEAL_FIELD: seal(history, stored)})


def ship(apps, schema_editor) -> None:
    Framework = apps.get_model("planning", "EvaluationFramework")
    Level = apps.get_model("planning", "EvaluationLevel")
    if Framework.objects.exists():
        return
    framework = Framework.objects.create(
        name=NAME,
        description=DESCRIPTION,
        in_use=True,
    )
    _with_history(apps, "EvaluationFramework", framework)
    for position, (name, description) in enumerate(LEVELS, start=1):
        level = Level.objects.create(framework=framework, position=position, name=name, description=description)
        _with_history(apps, "EvaluationLevel", level)


class Migration(migrations.Migration):
    dependencies = [("planning", "0017_self_evaluation_and_equality_impact")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
