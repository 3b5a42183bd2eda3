"""The domain's writes: typed, keyword-only functions named ``<entity>_<action>``, each in
one transaction, each taking the acting user (``quotes.actors``). One module per concern:

- ``quotes``: creating and changing quotes with their parts; deleting them
- ``revisions``: editors' changes of published quotes, accepted or rejected by reviewers
- ``keys``: old keys of renamed records, which keep leading to them
- ``speakers``: speakers, other names and affiliations, and the roles they resolve
- ``workflow``: submit, send back, publish, retract
- ``citations``: reviewers' verification of excerpts
- ``corrections``: corrections of published quotes by changes of the records they show
- ``merges``: merging duplicates; merged keys redirect
- ``occasions``: occasions with their participants; merging them
- ``history``: edit conflicts and reverts
- ``imports``: interchange files
- ``users``: editors' and reviewers' accounts
- ``reports``: readers' reports of errors, the editors' queue

The names below are re-exported so that callers write ``services.quote_write(...)``.
"""

from quotes.services.citations import citation_unverify, citation_verify, citations_unverify_moved
from quotes.services.corrections import (
    published_quotes_corrected,
    quotes_correct_altered,
    quotes_showing,
    quotes_shown,
)
from quotes.services.history import quote_revert, record_check_version, record_revert
from quotes.services.imports import records_import
from quotes.services.merges import quote_merge, speaker_merge
from quotes.services.occasions import (
    occasion_account_add,
    occasion_accounts_replace,
    occasion_delete,
    occasion_merge,
    occasion_participants_replace,
    occasion_write,
)
from quotes.services.quotes import (
    FIELDS,
    PARTS,
    PROTECTED_STATUSES,
    QuoteUpdate,
    quote_apply_role,
    quote_create,
    quote_delete,
    quote_key_generate,
    quote_save,
    quote_update,
)
from quotes.services.records import record_save
from quotes.services.reports import error_report_file, error_report_set_status
from quotes.services.revisions import revision_accept, revision_propose, revision_reject
from quotes.services.speakers import (
    affiliation_delete,
    affiliation_save,
    speaker_quotes_reresolve,
    speaker_write,
)
from quotes.services.users import user_make_editor
from quotes.services.workflow import (
    quote_publish,
    quote_retract,
    quote_send_back,
    quote_submit,
    quote_transition,
)

__all__ = [
    "FIELDS",
    "PARTS",
    "PROTECTED_STATUSES",
    "QuoteUpdate",
    "affiliation_delete",
    "affiliation_save",
    "citation_unverify",
    "citation_verify",
    "citations_unverify_moved",
    "error_report_file",
    "error_report_set_status",
    "occasion_account_add",
    "occasion_accounts_replace",
    "occasion_delete",
    "occasion_merge",
    "occasion_participants_replace",
    "occasion_write",
    "published_quotes_corrected",
    "quote_apply_role",
    "quote_create",
    "quote_delete",
    "quote_key_generate",
    "quote_merge",
    "quote_publish",
    "quote_retract",
    "quote_revert",
    "quote_save",
    "quote_send_back",
    "quote_submit",
    "quote_transition",
    "quote_update",
    "quotes_correct_altered",
    "quotes_showing",
    "quotes_shown",
    "record_check_version",
    "record_revert",
    "record_save",
    "records_import",
    "revision_accept",
    "revision_propose",
    "revision_reject",
    "speaker_merge",
    "speaker_quotes_reresolve",
    "speaker_write",
    "user_make_editor",
]
