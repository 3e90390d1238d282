import factory

from imports import models


class ImportSupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ImportSupplier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SUPPLIER{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code} migration")
    territory = models.Territory.GB
