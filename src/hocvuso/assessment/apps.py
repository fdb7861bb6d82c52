from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "hocvuso.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from hocvuso.assessment import export_sections

        export_sections.register()  # "my data": sittings, answers, results

        from django.core import checks

        checks.register(check_rates, checks.Tags.compatibility)


def check_rates(app_configs: object = None, **kwargs: object) -> list[Any]:
    """Report a malformed ``HOCVUSO_ANSWER_RATE`` at start-up, not per answer."""
    from django.conf import settings
    from django.core import checks

    from hocvuso.assessment.services import rate_parse

    try:
        rate_parse(str(getattr(settings, "HOCVUSO_ANSWER_RATE", "120/m")))
    except ValueError as exc:
        return [checks.Error(str(exc), id="hocvuso.assessment.E001")]
    return []
