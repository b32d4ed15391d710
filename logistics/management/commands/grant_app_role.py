from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

# The site needs to read and write rows; it never needs to own a table. A role that does not
# own the tables cannot drop or disable the triggers that keep statutory records and the audit
# log append-only, and without TRUNCATE it cannot empty a table past them.
GRANTS = [
    "GRANT CONNECT ON DATABASE {db} TO {role}",
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    "REVOKE UPDATE, DELETE, TRUNCATE ON logistics_auditevent FROM {role}",
]


class Command(BaseCommand):
    help = (
        "Give an existing database role what the web and worker processes need, and no "
        "ownership (run as the tables' owner after every migrate; see docs/security.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="An existing role, e.g. logistics_app")

    def handle(self, *args, role: str, **options):
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"role {role!r} does not exist")
            if found[0]:
                raise CommandError(f"role {role!r} is a superuser; the site must not run as one")
            quote = connection.ops.quote_name
            for statement in GRANTS:
                cursor.execute(
                    statement.format(db=quote(connection.settings_dict["NAME"]), role=quote(role))
                )
        self.stdout.write(f"{role}: granted row access, no ownership")
