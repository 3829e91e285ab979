"""The Django web platform: settings, URLs, views and templates.

A thin edge: views check permissions (:mod:`lnob.core.roles`), call the
library and render.  Models live in the layer apps (``lnob.core``,
``lnob.forms``, ``lnob.records``), not here.
"""
