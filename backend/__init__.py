"""Waypoint's Django project: settings, URLs, the Celery app and WSGI entry point."""

from backend.celery import app as celery_app

__all__ = ["celery_app"]
