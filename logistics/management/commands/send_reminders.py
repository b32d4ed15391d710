from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from logistics.models import Membership, Notification
from logistics.roles import capabilities_for, schools_for
from logistics.selectors import todos_for


class Command(BaseCommand):
    help = "E-mail each user the to-dos of their dashboard (run daily from cron or a worker)."

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        users = {m.user for m in Membership.objects.select_related("user") if m.user.is_active}
        sent = 0
        for user in sorted(users, key=lambda u: u.username):
            lines = []
            for school in schools_for(user):
                with scope(school=school.pk):
                    caps = capabilities_for(user, school) or frozenset()
                    lines += [f"{school.name}：{t.text}" for t in todos_for(school, user, caps)]
            if lines and user.email:
                send_mail(
                    _("Logistics to-dos"),
                    "\n".join(lines),
                    None,
                    [user.email],
                )
                sent += 1
                # The reminders among the lines have now reached the person.
                with scopes_disabled():
                    Notification.objects.filter(user=user, emailed_at__isnull=True).update(
                        emailed_at=timezone.now()
                    )
            if lines:
                self.stdout.write(f"{user.username}: {len(lines)}")
        self.stdout.write(f"{sent} reminder e-mail(s) sent")
