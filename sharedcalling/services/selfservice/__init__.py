"""Self-service (issue 15): a person without a working outbound number asks for Shared Calling
for themselves, within the offer the admins configured (SELF_SERVICE_* settings).

`offer` (settings), `check` (who may, and the plan), `submit` (filing), `usecases` (bound to
Services). Kept import-free here: `sharedcalling.services` imports the offer at start-up.
"""
