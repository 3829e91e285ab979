"""Receivers that record logins, failed logins, logouts and role changes."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from lnob.audit.log import record
from lnob.core.models import Membership


@receiver(user_logged_in)
def _login(sender, request, user, **kwargs):
    record("login", actor=user, request=request)


@receiver(user_logged_out)
def _logout(sender, request, user, **kwargs):
    if user is not None:
        record("logout", actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # the password is never recorded; Django already masks it in `credentials`
    record("login_failed", actor_name=str(credentials.get("username", ""))[:150], request=request,
           target=str(credentials.get("username", ""))[:255])


@receiver(pre_save, sender=Membership)
def _remember_old_role(sender, instance, **kwargs):
    instance._old_role = (
        Membership.objects.filter(pk=instance.pk).values_list("role", flat=True).first() if instance.pk else None
    )


@receiver(post_save, sender=Membership)
def _role_saved(sender, instance, created, **kwargs):
    old = getattr(instance, "_old_role", None)
    if created:
        record("role_granted", project=instance.project, target=instance.user.get_username(), role=instance.role)
    elif old != instance.role:
        record("role_changed", project=instance.project, target=instance.user.get_username(),
               old_role=old, role=instance.role)


@receiver(post_delete, sender=Membership)
def _role_deleted(sender, instance, **kwargs):
    record("role_revoked", project=instance.project, target=instance.user.get_username(), role=instance.role)
