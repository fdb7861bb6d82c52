class AccountError(Exception):
    """Base class for account errors with a message safe to show to users."""


class PermissionDeniedError(AccountError):
    """The actor may not do this."""
