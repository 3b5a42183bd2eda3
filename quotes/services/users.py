"""Editors' and reviewers' accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

# The groups made by migrations 0003 and 0006; their permissions are set there.
EDITORS_GROUP = "Editors"
REVIEWERS_GROUP = "Reviewers"


@transaction.atomic
def user_make_editor(
    *, username: str, reviewer: bool = False, password: str | None = None, email: str = ""
):
    """Create or update a staff account in the Editors group, and in Reviewers if asked.

    Reviewers are in both groups: the Reviewers group adds publishing, retracting,
    merging and verifying to what editors do.
    """
    user, created = get_user_model().objects.get_or_create(username=username)
    user.is_staff = True
    if email:
        user.email = email
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    reviewers = Group.objects.get(name=REVIEWERS_GROUP)
    if reviewer:
        user.groups.add(reviewers)
    else:
        user.groups.remove(reviewers)
    return user
