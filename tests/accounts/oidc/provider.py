"""Run the real OpenID provider (npm ``oidc-provider``, provider.mjs) for tests.

``provider_running`` starts ``node provider.mjs`` on a free port, waits for
its readiness line and for its discovery document to answer (no fixed
sleep), and stops it afterwards.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CLIENT_ID = "hocvuso-test"
CLIENT_SECRET = "a-long-test-client-secret-0123456789"
READY_TIMEOUT = 30.0


@dataclass(frozen=True)
class RunningProvider:
    issuer: str
    client_id: str
    client_secret: str

    def settings(self) -> dict[str, Any]:
        """Return the hocvuso settings that point at this provider."""
        return {
            "HOCVUSO_OIDC_ISSUER": self.issuer,
            "HOCVUSO_OIDC_CLIENT_ID": self.client_id,
            "HOCVUSO_OIDC_CLIENT_SECRET": self.client_secret,
            "HOCVUSO_OIDC_SCOPES": "openid profile phone vneid",
            "HOCVUSO_OIDC_CLAIM_NAME": "name",
            "HOCVUSO_OIDC_CLAIM_PHONE": "phone_number",
            "HOCVUSO_OIDC_CLAIM_NATIONAL_ID": "national_id",
            "HOCVUSO_OIDC_CLAIM_BIRTH_YEAR": "birthdate",
            "HOCVUSO_OIDC_LEVEL_CLAIM": "assurance_level",
            "HOCVUSO_OIDC_LEVEL_MAP": "urn:vneid:level2=2,urn:vneid:level1=1",
            "HOCVUSO_OIDC_NAME": "VNeID",
            "HOCVUSO_OIDC_BUTTON_LABEL": "Đăng nhập bằng VNeID",
        }


def _ensure_installed() -> None:
    subprocess.run([str(ROOT / "scripts" / "ensure-node-tools")], check=True)


@contextmanager
def provider_running(
    *, redirect_uri: str, post_logout_uri: str
) -> Iterator[RunningProvider]:
    """Run provider.mjs for a client with these URIs; yield where it answers."""
    _ensure_installed()
    env = os.environ | {
        "OIDC_REDIRECT_URI": redirect_uri,
        "OIDC_POST_LOGOUT_URI": post_logout_uri,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "NODE_NO_WARNINGS": "1",
    }
    proc = subprocess.Popen(
        ["node", str(HERE / "provider.mjs")],
        cwd=HERE,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], READY_TIMEOUT)
        line = proc.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"provider.mjs did not start (exit {proc.poll()})")
        issuer = json.loads(line)["issuer"]
        # The handshake: the discovery document answers and names the issuer.
        url = f"{issuer}/.well-known/openid-configuration"
        with urllib.request.urlopen(url, timeout=READY_TIMEOUT) as response:
            assert json.load(response)["issuer"] == issuer
        yield RunningProvider(issuer, CLIENT_ID, CLIENT_SECRET)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
