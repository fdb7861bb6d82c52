from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data across apps (``hocvuso demo generate``); it sits on top of them."""

    name = "hocvuso.demo"
    label = "demo"
    verbose_name = _("Demo data")
