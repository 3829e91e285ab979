"""Forms: XLSForm questionnaires, their versions and their XForm conversions.

A Django app (label ``forms``) plus plain functions:

* :mod:`lnob.forms.xlsform` — convert an XLSForm with pyxform, report its
  problems with sheet and row, and describe its fields;
* :mod:`lnob.forms.services` — add a form (a new version when changed), list forms;
* :mod:`lnob.forms.library` — questionnaires shipped with lnob (the LNOB
  household survey used by the demo).
"""
