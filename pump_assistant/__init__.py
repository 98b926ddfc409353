"""Core package of the clinic's intrathecal-pump assistant.

Belongs here: everything the Rasa server, the action server and the web service
share: the project's words (:mod:`.vocabulary`), answer choice and rendering
(:mod:`.answering`), triage (:mod:`.triage`), the answer registry
(:mod:`.content`), storage of tickets and records (:mod:`.storage`), SMS
formatting (:mod:`.sms`), settings, intake checks (:mod:`.inbound`), the
local stack (:mod:`.devstack`, also ``make run``) and the loopback stand-in
server the tests and the audit build their fakes on (:mod:`.loopback`). Rasa's own plug-ins live in :mod:`.rasa_ext`.

May import: the standard library and third-party packages, never ``actions``,
``webservice`` or ``tests``. Imported by: everything (actions, webservice,
rasa_ext, tests, bench, scripts). See docs/architecture.md.
"""
