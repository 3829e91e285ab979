"""Project pages of the indicators layer (included under /p/<slug>/ by lnob.web.urls)."""

urlpatterns: list = []
