"""Projects, service points, National Societies, networks, people and their roles, devices."""

import factory

from accounts.models import (
    Membership,
    NationalSociety,
    Project,
    RegionalNetwork,
    ServicePoint,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionalNetwork
        django_get_or_create = ("code",)

    code = "perco"
    name = "PERCO"


class NationalSocietyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NationalSociety
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Red Cross Society {n}")
    country = "IT"

    @factory.post_generation
    def networks(self, create, extracted, **kwargs):
        if create:
            self.networks.add(*(extracted or [NetworkFactory()]))


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint

    project = factory.SubFactory(ProjectFactory)
    national_society = factory.SubFactory(NationalSocietyFactory)
    name = factory.Sequence(lambda n: f"Service point {n}")
    country = "IT"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    project = factory.SubFactory(ProjectFactory)
    role = "analyst"


class DeviceFactory(factory.Factory):
    """Creates a device through provisioning, as the API does; ``device.token`` is set."""

    class Meta:
        model = dict

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Tablet {n}")

    @classmethod
    def _create(cls, model_class, project, name):
        from accounts.provisioning import device_create

        point = ServicePointFactory(project=project)
        device, token = device_create(project=project, service_point=point, name=name)
        device.token = token
        return device

    _build = _create
