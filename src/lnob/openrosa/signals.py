"""Forget what the OpenRosa endpoints remember when projects, roles or users change."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from lnob.core.models import Membership, Project
from lnob.openrosa.auth import forget_digest


@receiver([post_save, post_delete], sender=Project)
def _project_changed(sender, instance, **kwargs):
    cache.delete(f"openrosa-project:{instance.slug}")


@receiver([post_save, post_delete], sender=Membership)
def _role_changed(sender, instance, **kwargs):
    cache.delete(f"openrosa-role:{instance.user_id}:{instance.project_id}")


@receiver([post_save, post_delete], sender=get_user_model())
def _user_changed(sender, instance, **kwargs):
    forget_digest(instance.get_username())
