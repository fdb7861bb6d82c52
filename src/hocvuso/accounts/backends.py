"""Sign in with a phone number, e-mail, national ID number or user name."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from hocvuso.accounts.identifiers import Kind, national_id_hash, parse_identifier
from hocvuso.accounts.models import User
from hocvuso.accounts.permissions import role_permissions
from hocvuso.accounts.signin_limits import (
    signin_attempt_begin,
    signin_attempt_succeeded,
    signin_refuse,
)


def user_find_by_identifier(raw: str) -> User | None:
    """Return the user an identifier designates, or None."""
    ident = parse_identifier(raw)
    qs = User.objects.all()
    if ident.kind is Kind.NATIONAL_ID:
        return qs.filter(national_id_hash=national_id_hash(ident.value)).first()
    if ident.kind is Kind.PHONE:
        return (
            qs.filter(phone=ident.value).first()
            or qs.filter(username=ident.value).first()
        )
    if ident.kind is Kind.EMAIL:
        return qs.filter(email__iexact=ident.value).first()
    return qs.filter(username=ident.value).first()


class IdentifierBackend(ModelBackend):
    """ModelBackend that resolves several identifiers and grants role permissions."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        user = user_find_by_identifier(username)
        attempt = None
        if request is not None:
            # Counted before the password is checked (see signin_limits).
            attempt = signin_attempt_begin(request, identifier=username, user=user)
            if not attempt.allowed:
                signin_refuse(request)
                return None  # too many failures: no password is even hashed
        if user is None:
            # Spend the same time as a real check to avoid user enumeration.
            User().set_password(password)
        elif user.check_password(password) and self.user_can_authenticate(user):
            if request is not None and attempt is not None:
                signin_attempt_succeeded(request, attempt, user)
            return user
        return None  # the attempt stays counted as a failure

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        perms = set(super().get_all_permissions(user_obj, obj))
        if user_obj.is_active and not user_obj.is_anonymous and obj is None:
            perms |= role_permissions(user_obj)
        return perms
