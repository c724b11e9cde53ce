from ninja import Router

router = Router(tags=["干部自荐"])
