"""Domain errors: every failure a user can act on, with the HTTP status it maps to."""

from typing import Any


class DomainError(Exception):
    """Base for errors raised by services; API and views turn them into 4xx."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"detail": self.message, "code": self.code}
        if self.fields:
            body["errors"] = self.fields
        body.update(self.extra)
        return body


class ValidationFailed(DomainError):
    status = 422
    code = "validation_error"

    @classmethod
    def field(cls, name: str, message: str) -> "ValidationFailed":
        return cls(message, fields={name: [message]})


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class TooManyRequests(DomainError):
    """Throttled: the client may try again after `retry_after` seconds (sent as Retry-After)."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, extra={"retry_after": retry_after})
        self.retry_after = retry_after


class Conflict(DomainError):
    status = 409
    code = "conflict"


class VersionConflict(Conflict):
    """Somebody else changed the record since the client read it."""

    code = "version_conflict"

    def __init__(self, current_version: int) -> None:
        super().__init__(
            "This record was changed by someone else. Reload it and apply your change again.",
            extra={"current_version": current_version},
        )
        self.current_version = current_version
