"""The XML documents of the OpenRosa protocol (form list, manifest, responses)."""

from __future__ import annotations

from xml.sax.saxutils import escape

XFORMS_LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
RESPONSE_NS = "http://openrosa.org/http/response"


def _el(tag: str, text) -> str:
    return f"<{tag}>{escape(str(text))}</{tag}>"


def form_list(forms) -> str:
    """``forms``: iterable of dicts with form_id, name, version, md5, download_url, manifest_url."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<xforms xmlns="{XFORMS_LIST_NS}">']
    for f in forms:
        parts.append(
            "<xform>"
            + _el("formID", f["form_id"])
            + _el("name", f["name"])
            + _el("version", f["version"])
            + _el("hash", "md5:" + f["md5"])
            + _el("downloadUrl", f["download_url"])
            + (_el("manifestUrl", f["manifest_url"]) if f.get("manifest_url") else "")
            + "</xform>"
        )
    parts.append("</xforms>")
    return "".join(parts)


def manifest(media) -> str:
    """``media``: iterable of dicts with filename, md5, download_url."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="{MANIFEST_NS}">']
    for m in media:
        parts.append(
            "<mediaFile>" + _el("filename", m["filename"]) + _el("hash", "md5:" + m["md5"])
            + _el("downloadUrl", m["download_url"]) + "</mediaFile>"
        )
    parts.append("</manifest>")
    return "".join(parts)


def response(message: str, *, nature: str = "") -> str:
    """An ``OpenRosaResponse``; Collect shows ``message`` to the enumerator."""
    attr = f' nature="{escape(nature)}"' if nature else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<OpenRosaResponse xmlns="{RESPONSE_NS}">'
        f"<message{attr}>{escape(message)}</message></OpenRosaResponse>"
    )
