from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "hocvuso.programs"
    label = "programs"
    verbose_name = _("Programs and targets")

    def ready(self) -> None:
        from hocvuso.programs import receivers  # noqa: F401  (connects them)
