"""The OpenRosa 1.0 server that ODK Collect and KoboCollect talk to.

Per project, under ``/openrosa/<project-slug>/``: ``formList``, form download,
manifest, and ``submission`` (HEAD preflight and multipart POST), with HTTP
Digest authentication (Basic only over HTTPS unless allowed for development).
The protocol is summarised in ``docs/openrosa.md``.

* :mod:`.auth` — Digest/Basic authentication and the stored digest partials;
* :mod:`.xml` — the XML documents the protocol exchanges;
* :mod:`.views` — the endpoints (a thin edge over :mod:`lnob.records`).
"""
