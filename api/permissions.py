"""Who may call what: the actions of ``quotes.permissions.ACTIONS``, asked with has_perm."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from quotes.permissions import may

METHOD_ACTIONS = {"POST": "add", "PUT": "edit", "PATCH": "edit", "DELETE": "delete"}


def view_model(view) -> str:
    """The model a view writes; a view without a queryset writes quotes."""
    queryset = view.get_queryset() if hasattr(view, "get_queryset") else None
    return queryset.model._meta.model_name if queryset is not None else "quote"


class ActionPermission(BasePermission):
    """Reads for everyone; a write needs the permission of its action on the view's model
    (POST: add, PUT and PATCH: edit, DELETE: delete). Extra actions check their own."""

    message = "You do not have the permission this change needs."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        if getattr(view, "action", None) not in (
            None,
            "create",
            "update",
            "partial_update",
            "destroy",
        ):
            return True  # an extra action (merge, publish a revision…) checks its own
        action = METHOD_ACTIONS.get(request.method, "edit")
        self.message = f"You may not {action} {view_model(view).replace('_', ' ')}s."
        return may(request.user, action, view_model(view))


class CanViewUnpublished(BasePermission):
    """Editors' reads: a record's history, a quote's revisions."""

    message = "Only editors may read the history and revisions of records."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated) and may(user, "view", view_model(view))
