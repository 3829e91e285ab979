"""The ``lnob`` command line: a thin edge over the library.

Each command module defines ``register(app)``; :mod:`lnob.cli.main` assembles
them.  Commands do three things only: parse options, call the library, print.
Errors raised by the library (:class:`lnob.errors.LnobError`) are turned into a
single line on stderr and a non-zero exit code by :func:`lnob.cli.main.run`.
Heavy imports (Django, DuckDB, SciPy) happen inside the command functions so
that ``lnob --help`` stays instant.
"""
