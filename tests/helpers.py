"""Helpers for tests that run the real ``lnob`` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    code: int
    out: str
    err: str


def lnob(*args: str, home: Path | None = None, stdin: str | None = None, env: dict | None = None,
         timeout: float = 300) -> Result:
    """Run ``python -m lnob [--home HOME] ARGS`` and capture its output."""
    cmd = [sys.executable, "-m", "lnob"]
    if home is not None:
        cmd += ["--home", str(home)]
    cmd += list(args)
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("LNOB_", "DJANGO_"))}
    full_env.update(env or {})
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=full_env, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)


class Collect:
    """A minimal OpenRosa client for Django's test client: answers Digest challenges like ODK Collect."""


    def __init__(self, client, username=None, password="a-long-passphrase"):
        self.client, self.username, self.password = client, username, password
        self.nc = 0

    def _digest(self, method, uri, challenge):
        p = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge.split("Basic")[0]))
        self.nc += 1
        nc, cnonce = f"{self.nc:08x}", uuid.uuid4().hex[:16]
        ha1 = hashlib.md5(f"{self.username}:{p['realm']}:{self.password}".encode()).hexdigest()
        ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()
        resp = hashlib.md5(f"{ha1}:{p['nonce']}:{nc}:{cnonce}:auth:{ha2}".encode()).hexdigest()
        return (f'Digest username="{self.username}", realm="{p["realm"]}", nonce="{p["nonce"]}", uri="{uri}", '
                f'response="{resp}", qop=auth, nc={nc}, cnonce="{cnonce}", algorithm=MD5, opaque="{p["opaque"]}"')

    def request(self, method, uri, make_kw=dict, **kw):
        """``make_kw`` builds fresh request arguments (uploads can be read only once)."""
        headers = {"HTTP_X_OPENROSA_VERSION": "1.0"}
        call = getattr(self.client, method.lower())
        resp = call(uri, **make_kw(), **kw, **headers)
        if resp.status_code == 401 and self.username:
            auth = self._digest(method, uri, resp["WWW-Authenticate"])
            resp = call(uri, **make_kw(), **kw, **headers, HTTP_AUTHORIZATION=auth)
        assert resp["X-OpenRosa-Version"] == "1.0", "every response carries X-OpenRosa-Version"
        return resp

    def submit(self, xml, *attachments, uri="/openrosa/wash/submission"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        def make_kw():
            data = {"xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml")}
            for name, content in attachments:
                data[name] = SimpleUploadedFile(name, content, "image/jpeg")
            return {"data": data}

        return self.request("POST", uri, make_kw)


