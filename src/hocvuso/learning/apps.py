from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "hocvuso.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self) -> None:
        from hocvuso.learning import export_sections

        export_sections.register()  # "my data": progress in every lesson
