"""Coalitions: organisations grouped nationally and globally, pooling published aggregates.

* ``models.py`` — :class:`Coalition` (national or global), memberships (organisation ↔ national
  coalition, national ↔ global), coalition roles, harmonised indicator definitions, and the
  :class:`Publication` snapshots members publish (aggregates only, never microdata);
* ``pooling.py`` — the pooled estimate and its standard error per indicator × group (no Django);
* ``services.py`` — create, join, harmonise, grant roles;
* ``publishing.py`` — a project's disclosure-controlled snapshot for a coalition (audited);
* ``views.py`` — the national and global pooled views and the results export.

See docs/coalition.md.
"""
