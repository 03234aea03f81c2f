from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The read API over HTTP/JSON, its OpenAPI schema and people's API tokens (issue 16)."""

    name = "api"
    verbose_name = "API"
