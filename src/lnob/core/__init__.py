"""Organisations, projects, users' roles on projects, and the permission matrix.

This is a Django app (label ``core``).  Other layers and both edges call the
functions in :mod:`lnob.core.services`; they never write these models directly.
"""
