from django.apps import AppConfig


class PublicConfig(AppConfig):
    """What a council publishes, for anyone to read without signing in (issue 16)."""

    name = "public"
    verbose_name = "Public pages"

    def ready(self) -> None:
        from planning.signals import public_comment_answered
        from public.consultation import tell_respondent

        public_comment_answered.connect(
            lambda sender, comment, **_: tell_respondent(comment), dispatch_uid="public-tell-respondent", weak=False
        )
