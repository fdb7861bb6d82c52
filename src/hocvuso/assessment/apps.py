from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "hocvuso.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from hocvuso.assessment.bank import register_pack_hook

        register_pack_hook()
