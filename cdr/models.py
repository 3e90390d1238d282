"""Consumer Data Right: data recipients, consents and access tokens."""
