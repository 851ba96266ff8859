from ninja import Router

router = Router(tags=["activities"])
timeline_router = Router(tags=["timeline"])
