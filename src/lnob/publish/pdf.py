"""PDF rendering with WeasyPrint.  The brief's CSS loads the Noto fonts shipped in ``fonts/``
with ``@font-face`` under private family names, so the PDF embeds them (subset) and never
depends on the fonts installed on the machine."""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    import logging

    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fonts = FontConfiguration()
    doc = HTML(string=html, base_url=FONT_DIR.as_uri() + "/").render(font_config=fonts)
    return doc.write_pdf(), len(doc.pages)
