"""SDG indicator definitions, dimensions and the runner.

Modules: :mod:`lnob.indicators.expr` — the safe expression language for outcomes,
numerators, denominators and population filters over form fields, compiled to SQL.
"""
