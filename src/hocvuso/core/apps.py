from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hocvuso.core"
    label = "core"
    verbose_name = _("System")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from hocvuso.core.files import sqlite_files_private

        def _on_connect(sender: Any, connection: Any, **kwargs: Any) -> None:
            if connection.vendor == "sqlite":
                sqlite_files_private(str(connection.settings_dict["NAME"]))

        connection_created.connect(
            _on_connect, weak=False, dispatch_uid="core.sqlite_private"
        )
