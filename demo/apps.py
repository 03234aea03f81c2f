from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo council (``load_demo``, ``build_demo_fixture``) and the generated one
    (``generate_council``). It sits on top of the domain apps and may import from all of
    them; none of them imports from it (tests/test_import_directions.py). It has no models."""

    name = "demo"
