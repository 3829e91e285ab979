"""The audit log: an append-only record of security-relevant events.

Logins and failed logins, logouts, role changes, exports, microdata views and
publications are recorded with who, when, from where and on which project.
Rows can be added, never changed or deleted: the model refuses it and database
triggers refuse it too (:mod:`lnob.audit.migrations`).  Owners read a project's
log on its audit page.  Other layers call :func:`lnob.audit.log.record`.
"""
