"""Project pages of the records layer (included under /p/<slug>/ by lnob.web.urls)."""

urlpatterns: list = []
