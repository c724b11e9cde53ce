from ninja import Router

router = Router(tags=["领导班子"])
