"""Tokens, the current user, and the user directory (for choosing owners)."""

from ninja import Router, Status

from lejek.accounts import schemas, services
from lejek.accounts.auth import AuthedRequest
from lejek.accounts.models import ApiToken, User
from lejek.accounts.throttle import client_address
from lejek.core.listing import errors

router = Router(tags=["auth"])


@router.post("/tokens", auth=None, response={201: schemas.TokenCreated, **errors()})
def create_token(request: AuthedRequest, payload: schemas.TokenIn):
    token, key = services.token_create(
        username=payload.username,
        password=payload.password,
        name=payload.name,
        address=client_address(request),
    )
    return Status(201, {**schemas.TokenOut.from_orm(token).dict(), "key": key})


@router.get("/tokens", response={200: list[schemas.TokenOut], **errors()})
def list_tokens(request: AuthedRequest):
    return ApiToken.objects.filter(user=request.user, revoked_at__isnull=True).order_by("-id")


@router.delete("/tokens/{id:token_id}", response={204: None, **errors(404)})
def revoke_token(request: AuthedRequest, token_id: int):
    services.token_revoke(actor=request.user, token_id=token_id)
    return Status(204, None)


@router.get("/me", response={200: schemas.UserOut, **errors()})
def me(request: AuthedRequest):
    return User.objects.select_related("team").get(pk=request.user.pk)


@router.get("/users", response={200: list[schemas.UserOut], **errors()})
def list_users(request: AuthedRequest):
    return User.objects.filter(is_active=True).select_related("team").order_by("username")
