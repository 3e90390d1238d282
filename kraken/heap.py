"""The long-lived heap of a server process, taken out of the garbage collector's walks.

A web process holds about 190,000 objects that live as long as it does: every app's modules,
views, serializers and the GraphQL schema. A full (generation 2) collection walks them all with the
GIL held, 70 to 220 ms on these machines, so every request in flight in that process waits; under
the load benchmark each web process did one every 10 s or so. Frozen (`gc.freeze`), they are no
longer walked, and the same collections took 5 to 50 ms.
"""

from __future__ import annotations

import gc


def freeze_loaded_objects() -> int:
    """Collect what loading left behind, then leave every object alive now out of later
    collections; returns how many objects that is. Call once the process has loaded what it
    serves."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
