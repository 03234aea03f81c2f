from django.apps import AppConfig


class PublicConfig(AppConfig):
    """What a council publishes, for anyone to read without signing in (issue 16)."""

    name = "public"
    verbose_name = "Public pages"
