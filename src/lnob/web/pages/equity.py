"""Project pages of the equity layer (included under /p/<slug>/ by lnob.web.urls)."""

urlpatterns: list = []
