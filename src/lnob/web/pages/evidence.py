"""Project pages of the evidence layer: dashboard, indicator pages, maps (included under /p/<slug>/)."""

urlpatterns: list = []
