"""The data hub's API at /api/v1/link."""

from ninja import Router

from . import api_hub, api_research

router = Router(tags=["data hub"])
for part in (api_hub, api_research):
    router.add_router("", part.router)
