"""Work in progress is leased (see billing/operations/_leases.py): the database, not the broker,
knows which work a lost worker held."""

HELP_CLAIMED = "The worker doing it now"
HELP_LEASE = "Unless renewed or finished by then, the lease sweep hands it to another worker"
