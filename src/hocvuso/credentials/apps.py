from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "hocvuso.credentials"
    label = "credentials"
    verbose_name = _("Certificates and credentials")

    def ready(self) -> None:
        from hocvuso.credentials import export_sections

        export_sections.register()  # "my data" lists the certificates

        from hocvuso.accounts.signals import identity_level_changed
        from hocvuso.assessment.signals import id_card_checked, result_recorded
        from hocvuso.credentials import receivers

        result_recorded.connect(
            receivers.on_result_recorded, dispatch_uid="credentials.result_recorded"
        )
        id_card_checked.connect(
            receivers.on_id_card_checked, dispatch_uid="credentials.id_card_checked"
        )
        identity_level_changed.connect(
            receivers.on_identity_level_changed,
            dispatch_uid="credentials.identity_level_changed",
        )
