from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hocvuso.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from hocvuso.accounts import export_sections

        export_sections.register()  # "my data": helpers, password resets

        from django.core import checks

        checks.register(check_password_cost, checks.Tags.security)
        checks.register(check_limits, checks.Tags.security)
        checks.register(check_oidc, checks.Tags.security)

        from django.contrib.auth.signals import user_logged_out

        from hocvuso.accounts.guidance import guide_stop_on_signout

        user_logged_out.connect(guide_stop_on_signout, dispatch_uid="guide_stop")


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


_RATE_SETTINGS = (
    "HOCVUSO_LOGIN_RATE",
    "HOCVUSO_LOGIN_HOURLY_RATE",
    "HOCVUSO_LOGIN_IP_RATE",
    "HOCVUSO_REGISTER_RATE",
    "HOCVUSO_REGISTER_IP_CAP",
    "HOCVUSO_CLAIM_RATE",
)
# ASVS 5.0 (6.3.1) / NIST 800-63B: at most 100 failed attempts an hour.
_MAX_FAILURES_PER_HOUR = 100


def check_limits(app_configs: object = None, **kwargs: object) -> list[Any]:
    """Report a malformed sign-in or registration rate at start-up, not per attempt."""
    from django.conf import settings
    from django.core import checks

    from hocvuso.accounts.limits import Rate

    errors: list[Any] = []
    rates: dict[str, Rate] = {}
    for name in _RATE_SETTINGS:
        value = str(getattr(settings, name, ""))
        try:
            rates[name] = Rate.parse(value)
        except ValueError as exc:
            errors.append(checks.Error(f"{name}: {exc}", id="hocvuso.accounts.E002"))
    account = [rates[n] for n in _RATE_SETTINGS[:2] if n in rates]
    if len(account) == 2:
        hourly = min(rate.per_hour_at_most() for rate in account)
        if hourly > _MAX_FAILURES_PER_HOUR:
            errors.append(
                checks.Error(
                    f"HOCVUSO_LOGIN_RATE and HOCVUSO_LOGIN_HOURLY_RATE allow {hourly} "
                    f"failed sign-ins an hour per account; at most "
                    f"{_MAX_FAILURES_PER_HOUR} are safe",
                    id="hocvuso.accounts.E003",
                )
            )
    return errors


def check_oidc(app_configs: object = None, **kwargs: object) -> list[Any]:
    """Report an OpenID provider set up so that its sign-in could not work.

    A malformed ``HOCVUSO_OIDC_LEVEL_MAP`` turns the sign-in off (the site
    keeps working); this says why at start-up and in ``hocvuso check``.
    """
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.core import checks

    from hocvuso.accounts.oidc_config import parse_level_map

    issuer = str(settings.HOCVUSO_OIDC_ISSUER).strip()
    if not issuer:
        return []
    errors: list[Any] = []
    try:
        parse_level_map(str(settings.HOCVUSO_OIDC_LEVEL_MAP))
    except ValueError as exc:
        errors.append(checks.Error(str(exc), id="hocvuso.accounts.E004"))
    if not str(settings.HOCVUSO_OIDC_CLIENT_ID).strip():
        errors.append(
            checks.Error(
                "HOCVUSO_OIDC_ISSUER is set but HOCVUSO_OIDC_CLIENT_ID is empty",
                id="hocvuso.accounts.E005",
            )
        )
    parts = urlsplit(issuer)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        errors.append(
            checks.Error(
                f"HOCVUSO_OIDC_ISSUER must be an https URL, not {issuer!r}",
                id="hocvuso.accounts.E006",
            )
        )
    return errors
