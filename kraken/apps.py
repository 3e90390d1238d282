from django.apps import AppConfig


class KrakenConfig(AppConfig):
    name = "kraken"
    verbose_name = "Kraken core"
