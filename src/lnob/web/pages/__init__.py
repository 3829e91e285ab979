"""Page groups of the web platform, one module per layer (records, indicators, equity…).

Each module defines its views and a ``urlpatterns`` list, included under
``/p/<project-slug>/`` by :mod:`lnob.web.urls`.  Every view checks the user's
role with :mod:`lnob.core.roles` before doing anything.
"""
