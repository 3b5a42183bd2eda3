from rest_framework.permissions import SAFE_METHODS, BasePermission

EDITORS_GROUP = "Editors"


def is_editor(user) -> bool:
    """Members of the Editors group (and superusers) may write."""
    if not (user and user.is_authenticated):
        return False
    return user.is_superuser or user.groups.filter(name=EDITORS_GROUP).exists()


class IsEditorOrReadOnly(BasePermission):
    message = "Only members of the Editors group may change records."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or is_editor(request.user)


class IsEditor(BasePermission):
    message = "Only members of the Editors group may read the history of records."

    def has_permission(self, request, view) -> bool:
        return is_editor(request.user)
