"""Lift's Rasa input channels: REST, socket.io (web chat), Slack and Messenger.

One module per channel (``rest``, ``webchat``, ``slack``, ``messenger``), each subclassing
Rasa 3.6's connector and replacing its webhook with one that
* checks the request before anything reaches the dialogue engine: body size, JSON shape,
  signature; bad input is a 4xx, never a 500, and a refused request creates no tracker
  (shared checks in ``hardening``, API credentials in ``auth``);
* renders Lift's product cards (``{"type": "product_cards", "products": [...]}`` sent as a
  custom payload by the actions) natively: Slack blocks, Messenger generic templates,
  socket.io ``{"custom": ...}`` messages for the web widget (shared reading in ``cards``).

Secrets come from :mod:`lift.config` (SLACK_*, FB_*, RASA_AUTH_TOKEN, LIFT_JWT_SECRET) unless
``credentials.yml`` gives them explicitly; a Slack or Messenger channel without its secrets
stays mounted but answers 404, so ``make run`` works without them and nothing unsigned is
ever processed. Outgoing API calls use SLACK_API_URL / FB_GRAPH_URL so tests can point them at
a stand-in server on loopback. Rasa loads the input classes by the class paths in
``credentials.yml`` (:mod:`lift.rasa_plugins.channels`).
"""
