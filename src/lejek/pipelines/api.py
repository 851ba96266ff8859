from ninja import Router

pipelines_router = Router(tags=["pipelines"])
deals_router = Router(tags=["deals"])
