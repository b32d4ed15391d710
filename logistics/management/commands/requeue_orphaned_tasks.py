from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = (
        "Put back in the queue the tasks a worker with this id left running when it died "
        "(run before `db_worker --worker-id ID`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--worker-id", required=True, help="The worker's fixed id.")

    def handle(self, *args, worker_id: str, **options):
        # django-tasks' database backend marks a task running when a worker claims it and never
        # hands it out again, so a worker killed mid-task (a PDF half laid out) strands it.
        # A fixed id per worker slot (one process per id: the service manager sees to it)
        # tells which running tasks belong to a dead worker: those of this id, before it starts.
        requeued = 0
        with transaction.atomic():
            for result in DBTaskResult.objects.running().select_for_update():
                if result.worker_ids and result.worker_ids[-1] == worker_id:
                    result.status = TaskResultStatus.READY
                    result.started_at = None
                    result.save(update_fields=["status", "started_at"])
                    requeued += 1
        self.stdout.write(f"{requeued} task(s) left running by {worker_id} put back in the queue")
