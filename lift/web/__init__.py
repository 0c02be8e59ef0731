"""The web chat page: the static page server and its start-up credential check (``server``)
and the session ids/JWTs that bind a browser to one conversation (``sessions``). The same
server carries the support tool's erasure endpoint (``privacy``) and the observability
dashboard: its routes and sign-in (``dashboard``) and JSON payloads (``dashboard_data``).

Nothing here imports Rasa at start-up, so the page server starts in well under a second (the
dashboard's drift card reads an NLU-data baseline with Rasa's loader on its first request).
"""
