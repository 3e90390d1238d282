"""The one registry every rule module adds itself to."""

from imports.rules import base

REGISTRY = base.Registry()
