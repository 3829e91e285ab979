"""The demo: a seeded, reproducible household survey in Viet Nam with known group differences.

Modules (each owns one part):

* :mod:`lnob.demo.frame` — provinces, the sampling frame, sample selection and design weights;
* :mod:`lnob.demo.population` — the population model and every built-in group effect;
* :mod:`lnob.demo.answers` — answers to the shipped questionnaire (skip logic, self-identification);
* :mod:`lnob.demo.render` — fast OpenRosa instance XML from column arrays;
* :mod:`lnob.demo.build` — :func:`build_demo`: project, form, records, analytics tables, design.

The data, the sample design and the true effects are described in ``docs/demo-data.md``.
"""

from lnob.demo.build import DemoSummary, build_demo

__all__ = ["DemoSummary", "build_demo"]
