from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Checks that history is as the application wrote it (``manage.py verify_history``).
    It sits below every domain app and imports none of them: it finds the history tables
    through ``config.history.tracked_models``."""

    name = "audit"
    default_auto_field = "django.db.models.BigAutoField"
