"""Code generated from the customer-graph contract by kraken/graphql/generate.py: `types` holds one
graphene class per contract type. Nothing in this package is edited by hand; regenerate instead."""
