from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hocvuso.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.core import checks

        checks.register(check_password_cost, checks.Tags.security)


def check_password_cost(app_configs: object = None, **kwargs: object) -> list[Any]:
    """Report an Argon2id cost below OWASP's minimum at start-up."""
    from django.conf import settings
    from django.core import checks

    from hocvuso.accounts.hashers import cost_errors

    return [
        checks.Error(message, id="hocvuso.accounts.E001")
        for message in cost_errors(
            int(settings.HOCVUSO_PASSWORD_MEMORY_KIB),
            int(settings.HOCVUSO_PASSWORD_TIME_COST),
        )
    ]
