"""Load the demo: a project, its service point, one account per role, a device, the library forms.

Idempotent: re-running changes nothing that exists. Passwords and the device token are derived
from SECRET_KEY, so they stay the same across runs and a tablet set up from the QR code keeps
working after a restart.
"""

import base64
import hashlib
import hmac
import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import provisioning
from accounts.models import (
    Device,
    Membership,
    NationalSociety,
    Project,
    RegionalNetwork,
    Role,
    ServicePoint,
    hash_device_token,
)
from accounts.tokens import token_for_key, token_issue
from forms.library import library_forms
from forms.services import form_upload

NETWORKS = [
    ("apmn", "Asia Pacific Migration Network (APMN)"),
    ("sahel-plus", "Sahel+ migration network"),
    ("mena", "Middle East and North Africa migration network (MENA)"),
    (
        "perco",
        "Platform for European Red Cross Cooperation on Refugees, Asylum Seekers and "
        "Migrants (PERCO)",
    ),
]
PROJECT = "Demo service point"
ACCOUNTS = [
    ("form_manager", [Role.FORM_MANAGER], False),
    ("dpo", [Role.DPO], False),
    ("analyst", [Role.ANALYST], False),
    ("admin", [], True),
]


def _secret(purpose: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:16]


def _demo_token(user) -> str:
    """A stable API key for a demo account (derived from SECRET_KEY, stored only hashed), so
    every run prints one that works; a revoked or expired one is replaced."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"demo-token:{user.username}".encode(), hashlib.sha256
    ).digest()
    key = "wp" + base64.urlsafe_b64encode(digest).decode().rstrip("=")
    token, key = token_issue(user=user, name="demo", key=key)
    if token_for_key(key) is None:
        token.delete()
        token, key = token_issue(user=user, name="demo", key=key)
    return key


class Command(BaseCommand):
    help = "Create (or find) the demo project, accounts, device and library forms."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="Print machine-readable output.")
        parser.add_argument(
            "--base-url",
            default=settings.WAYPOINT_PUBLIC_URL or "http://127.0.0.1:8000",
            help="The address devices reach this server on.",
        )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            summary = self.load(options["base_url"])
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS(f"Demo project “{PROJECT}” (id {summary['project_id']})")
        )
        for account in summary["accounts"]:
            self.stdout.write(
                f"  {account['role']:<13} user {account['username']:<13} "
                f"password {account['password']}  API token {account['token']}"
            )
        device = summary["device"]
        self.stdout.write(f"  device        {device['name']}")
        self.stdout.write(f"  ODK Collect server URL: {device['server_url']}")
        self.stdout.write(f"  QR code for ODK Collect: {device['qr_url']}")
        self.stdout.write(
            f"  web tablet (any browser, offline): {summary['web_tablet']['web_url']}"
        )
        for form in summary["forms"]:
            self.stdout.write(f"  form          {form['form_id']} version {form['version']}")

    def load(self, base_url: str) -> dict:
        networks = {
            code: RegionalNetwork.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in NETWORKS
        }
        society, created = NationalSociety.objects.get_or_create(
            name="Italian Red Cross", defaults={"country": "IT"}
        )
        if created:
            society.networks.add(networks["perco"])
        project, _ = Project.objects.get_or_create(
            name=PROJECT,
            defaults={"description": "Demonstration project created by `manage.py demo`."},
        )
        point, _ = ServicePoint.objects.get_or_create(
            project=project,
            name="Humanitarian Service Point, Lampedusa",
            defaults={
                "national_society": society,
                "kind": ServicePoint.Kind.FIXED,
                "country": "IT",
            },
        )
        accounts = [self.account(project, *spec) for spec in ACCOUNTS]
        token = provisioning.demo_device_token("Demo tablet")
        device = Device.objects.filter(token_hash=hash_device_token(token)).first()
        if device is None:
            device, _ = provisioning.device_create(
                project=project, service_point=point, name="Demo tablet", token=token
            )
        server_url = provisioning.device_server_url(
            base_url=base_url, token=token, project_id=project.pk
        )
        web_token = provisioning.demo_device_token("Demo web tablet")
        if not Device.objects.filter(token_hash=hash_device_token(web_token)).exists():
            provisioning.device_create(
                project=project,
                service_point=point,
                name="Demo web tablet",
                token=web_token,
                kind=Device.Kind.WEB,
            )
        web_url = provisioning.web_app_url(
            provisioning.device_server_url(
                base_url=base_url, token=web_token, project_id=project.pk
            )
        )
        forms = []
        for path in library_forms():
            result = form_upload(project=project, filename=path.name, data=path.read_bytes())
            forms.append(
                {"form_id": result.version.form.form_id, "version": result.version.version}
            )
        return {
            "project_id": project.pk,
            "project": project.name,
            "service_point_id": point.pk,
            "accounts": accounts,
            "device": {
                "id": device.pk,
                "name": device.name,
                "token": token,
                "server_url": server_url,
                "qr_url": f"{server_url}/qr",
            },
            "web_tablet": {"token": web_token, "web_url": web_url},
            "forms": forms,
        }

    def account(self, project: Project, username: str, roles: list[Role], admin: bool) -> dict:
        user_model = get_user_model()
        password = _secret(f"demo-password:{username}")
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model.objects.create_user(
                username=username,
                password=password,
                is_staff=admin,
                is_superuser=admin,
            )
        for role in roles:
            Membership.objects.get_or_create(user=user, project=project, role=role)
        return {
            "username": username,
            "role": "admin" if admin else roles[0],
            "password": password,
            "token": _demo_token(user),
        }
