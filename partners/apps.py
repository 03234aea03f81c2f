from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"

    def ready(self) -> None:
        from config import (
            history,  # noqa: F401  (connects the receiver that stamps history rows)
            session_timeouts,  # noqa: F401  (stamps the sign-in time in the session)
        )
        from partners import signals

        signals.connect()
