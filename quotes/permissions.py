"""Who may do what: one table of actions and the permission each one needs.

The admin, the API and the services all ask ``may`` or ``require``; no code outside the
migrations that create the groups names a group. A record type fills in ``{model}``:
``permission("edit", "speaker")`` is ``quotes.change_speaker``.
"""

from __future__ import annotations

from dataclasses import dataclass

from quotes.actors import Actor
from quotes.exceptions import NotPermitted


@dataclass(frozen=True)
class Rule:
    codename: str  # a permission codename, with {model} for the record type
    who: str  # who holds it, for messages
    verb: str  # what the action does, for messages


ACTIONS: dict[str, Rule] = {
    "view": Rule("view_{model}", "editors", "see unpublished"),
    "add": Rule("add_{model}", "editors", "add"),
    "edit": Rule("change_{model}", "editors", "change"),
    "delete": Rule("delete_{model}", "editors", "delete"),
    "revert": Rule("change_{model}", "editors", "revert"),
    "submit": Rule("change_quote", "editors", "submit"),
    "send back": Rule("change_quote", "editors", "send back"),
    "publish": Rule("publish_quote", "reviewers", "publish"),
    "retract": Rule("retract_quote", "reviewers", "retract"),
    # Changing a published quote directly is a public correction, a reviewer's decision.
    "correct": Rule("publish_quote", "reviewers", "correct published"),
    "accept revision": Rule("publish_quote", "reviewers", "accept revisions of"),
    "reject revision": Rule("publish_quote", "reviewers", "reject revisions of"),
    "merge": Rule("merge_{model}", "reviewers", "merge"),
    "verify": Rule("verify_citation", "reviewers", "verify"),
    # Whether two statements carry the same claim is a reviewer's decision (lineage/).
    "decide lineage": Rule("publish_quote", "reviewers", "decide on the lineage of"),
}


def permission(action: str, model: str = "quote") -> str:
    """The permission (``app_label.codename``) that ``action`` on a ``model`` needs."""
    return "quotes." + ACTIONS[action].codename.format(model=model)


def may(user: Actor | None, action: str, model: str = "quote") -> bool:
    return user is not None and user.has_perm(permission(action, model))


def require(user: Actor | None, action: str, model: str = "quote", noun: str = "") -> None:
    """Raise ``NotPermitted`` unless ``user`` may do ``action``; ``None`` never may."""
    if may(user, action, model):
        return
    rule = ACTIONS[action]
    noun = noun or ("citations" if action == "verify" else f"{model.replace('_', ' ')}s")
    raise NotPermitted(f"Only {rule.who} may {rule.verb} {noun}.")
