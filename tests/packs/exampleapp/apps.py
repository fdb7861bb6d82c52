from django.apps import AppConfig


class ExampleConfig(AppConfig):
    """An app added by creating its folder only: the seams find its parts."""

    name = "tests.packs.exampleapp"
    label = "exampleapp"
