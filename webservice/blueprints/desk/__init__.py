"""The front-desk console at /desk, one blueprint per job (grouped under /desk):

- pages: the console page, its script and style;
- session: sign-in (throttled), sign-out, who is signed in;
- queue: the inbox (counts, filters, search, "mine", cursor paging), one ticket in detail,
  claim, reply, resolve with a note;
- ask: the approved answer to a question, copy, send by SMS;
- drafts: draft answers, and a clinician's approval into the registry or rejection;
- records: the audit log and the content gaps.

Signed-in staff hold an HttpOnly, SameSite=Strict session cookie; every state change also
needs the session's CSRF token in the X-CSRF-Token header (common.signed_in).
"""

from sanic import Blueprint

from webservice.blueprints.desk import ask, drafts, pages, queue, records, session

bp = Blueprint.group(pages.bp, session.bp, queue.bp, ask.bp, drafts.bp, records.bp, url_prefix="/desk")
