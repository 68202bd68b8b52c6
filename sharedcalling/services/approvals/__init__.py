"""The approval workflow (issue 11): policy, views, announcing, decisions, the sweep, queries.

Built on the request lifecycle of `services/requests.py`; every state change still goes through
`apply_event`. Modules here may send proactive messages through `Services.notifier` and render
cards through the renderer the Teams edge binds (`ApprovalRuntime.render`).
"""
