"""Contest API (/api/contests), one module per subject, and the public voting API
(/api/public/contests, in `contests.voting.api`): thin adapters over the services and
selectors. zuzhi.api mounts `router` and `public_router` from here."""

from ..voting.api import public_router
from ..voting.api import router as votes
from . import inputs, judging, results
from .contests import router

# The subjects' operations hang under /api/contests itself (router paths never end in "/").
for part in (inputs.router, judging.router, results.router, votes):
    router.add_router("", part)

__all__ = ["public_router", "router"]
