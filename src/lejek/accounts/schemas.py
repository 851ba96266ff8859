from datetime import datetime

from ninja import Field, Schema

from lejek.core.listing import Int


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=200)
    name: str = Field("api", min_length=1, max_length=100)


class TokenOut(Schema):
    id: Int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    key: str = Field(..., description="Shown once; store it now")


class TeamRef(Schema):
    id: Int
    name: str


class UserOut(Schema):
    id: Int
    username: str
    display_name: str
    first_name: str
    last_name: str
    email: str
    role: str
    team: TeamRef | None
