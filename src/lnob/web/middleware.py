"""Security headers Django 5.2 does not set itself.

* ``Content-Security-Policy``: only this site's own scripts, styles, images and
  fonts (lnob vendors its front-end assets; no CDN), no framing, forms post
  only to this site;
* ``Permissions-Policy``: no camera, microphone, geolocation… for pages.
"""

from __future__ import annotations

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class HeadMiddleware:
    """Send no body in answer to HEAD (WSGI servers such as waitress pass it on).

    ODK Collect's submission preflight is a HEAD; a body after it would be read
    as the start of the next response on a kept-alive connection.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                response.streaming_content = []
            else:
                length = response.get("Content-Length") or str(len(response.content))
                response.content = b""
                response["Content-Length"] = length
        return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            # Django's admin uses inline scripts in a few widgets
            response.headers.setdefault("Content-Security-Policy", CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"))
        else:
            response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
