"""Questionnaires shipped with lnob (XLSForms and the scripts that build them)."""
