from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"

    def ready(self) -> None:
        from django.core import checks

        from config import (
            history,  # noqa: F401  (connects the receiver that stamps history rows)
            session_timeouts,  # noqa: F401  (stamps the sign-in time in the session)
        )
        from config.catalogues import check_compiled
        from partners import signals

        checks.register(check_compiled, checks.Tags.translation, deploy=True)

        signals.connect()
