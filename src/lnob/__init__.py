"""lnob — community-driven data that leaves no one behind.

The package is a library first.  Data flows one way through its layers::

    forms -> records -> stats -> indicators -> equity -> disclosure -> publish

The command line (:mod:`lnob.cli`) and the Django web platform (:mod:`lnob.web`)
are thin edges over these layers.  See ``docs/architecture.md``.
"""

__version__ = "0.1.0"

#: Version of the on-disk workspace layout.  Bumped when a workspace written by a
#: newer lnob could not be read safely by an older one.
WORKSPACE_FORMAT = 1
