"""`python -m kraken.graphql > schema.graphql`: print the schema the code serves."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kraken.settings")
django.setup()

from kraken.graphql import schema  # noqa: E402

sys.stdout.write(schema.print_schema())
