"""Drive a test site's outbox from a subprocess (for the worker tests).

``python -m tests.credentials.outbox_driver jwks`` creates the issuer key if
needed and prints the JWKS; ``… enqueue PREFIX N`` enqueues N confirmation
events, each in its own transaction (delivery is scheduled on commit), and
prints ``ok N``.
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hocvuso.settings")
    django.setup()
    from django.db import transaction
    from tests.credentials.outbox_support import confirmation_payload

    from hocvuso.credentials.keys import issuer_key_ensure, issuer_keys
    from hocvuso.credentials.models import OutboxEvent
    from hocvuso.credentials.outbox.jws import jwks_of
    from hocvuso.credentials.outbox.services import outbox_enqueue

    if argv[0] == "jwks":
        issuer_key_ensure()
        print(json.dumps(jwks_of(issuer_keys())))
        return 0
    prefix, count = argv[1], int(argv[2])
    for i in range(count):
        with transaction.atomic():
            outbox_enqueue(
                kind=OutboxEvent.Kind.RESULT_CONFIRMED,
                key=f"{prefix}-{i}",
                payload=confirmation_payload(),
            )
    print(f"ok {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
