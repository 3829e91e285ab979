"""Publishing: open data and advocacy briefs — the last layer, and the only one that writes
figures for the public.

* :mod:`lnob.publish.release` — a **release**: the stored indicator results of a project cut to
  publishable tables (total, one table per dimension, chosen intersections), passed through
  :func:`lnob.disclosure.protect` in **one** call with the project's policy, with the licence,
  method and provenance.  Every figure any writer or brief shows comes from a release.
* :mod:`lnob.publish.datapackage` — Frictionless Data Package (resource ``results``, a fixed
  contract data users script against).
* :mod:`lnob.publish.sdmx` — SDMX-CSV 2.0 coded to the SDG DSD (``IAEG-SDGs:SDG(1.14)``), every
  code validated against the shipped code lists and the series' content constraints.
* :mod:`lnob.publish.opensdg` — Open SDG data CSVs and metadata YAML.
* :mod:`lnob.publish.brief` — the advocacy brief (findings, charts, method, data annex) as HTML
  or PDF (:mod:`lnob.publish.pdf`, WeasyPrint with the Noto fonts shipped in ``fonts/``);
  :mod:`lnob.publish.charts` — Vega-Lite charts rendered by vl-convert, with text alternatives.
* :mod:`lnob.publish.output` — writing files and directories atomically (a temporary sibling
  moved into place: nothing is ever half-written).

The service functions :func:`publish_open_data` and :func:`write_brief` (in
:mod:`lnob.publish.services`) record a ``publication`` audit event.  See docs/publish.md and
docs/briefs.md.
"""

FORMATS = ("datapackage", "sdmx-csv", "opensdg")
BRIEF_FORMATS = ("pdf", "html")
TEMPLATES = ("local", "vnr")
LANGUAGES = ("en", "hi", "vi", "bn")
