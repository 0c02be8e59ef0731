"""The web chat page: the static page server and its start-up credential check (``server``)
and the session ids/JWTs that bind a browser to one conversation (``sessions``).

Nothing here imports Rasa, so the page server starts in well under a second.
"""
