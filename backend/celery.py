"""The Celery app. Without a broker configured, tasks run in-process (the `make run` default)."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

from backend.logs import celery_handlers_restyle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("waypoint")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Workers and beat write Waypoint's log format (LOG_FORMAT), with the task id on task lines.
after_setup_logger.connect(celery_handlers_restyle)
after_setup_task_logger.connect(celery_handlers_restyle)
