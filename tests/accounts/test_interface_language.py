"""The interface language follows the person, not only the browser: a coordinator who chose
Arabic on one laptop finds Arabic when signing in on a shared tablet."""

import pytest
from django.test import Client

from accounts.models import InterfaceLanguage
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_choice_made_signed_in_is_kept_on_the_account_and_restored_elsewhere():
    user = UserFactory()
    first = signed_in(user)
    answer = first.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    assert answer.status_code == 302
    assert InterfaceLanguage.objects.get(user=user).language == "ar"

    other_browser = signed_in(user)  # no language cookie yet
    page = other_browser.get("/")
    assert page.status_code == 200
    assert 'lang="ar"' in page.text
    assert 'dir="rtl"' in page.text
    assert page.cookies["django_language"].value == "ar"


def test_the_browser_s_latest_choice_wins_over_the_account():
    user = UserFactory()
    InterfaceLanguage.objects.create(user=user, language="ar")
    client = signed_in(user)
    client.cookies["django_language"] = "fr"
    page = client.get("/")
    assert 'lang="fr"' in page.text


def test_signed_out_choices_and_unknown_languages_are_not_stored():
    Client().post("/i18n/setlang/", {"language": "es", "next": "/"})
    user = UserFactory()
    signed_in(user).post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert not InterfaceLanguage.objects.exists()
