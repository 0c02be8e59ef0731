"""Storage: the database engine and sessions (``engine``), every table Lift owns on one
declarative ``Base`` (``models``, Rasa's ``events`` table stays Rasa's), creating and opening
a ready database (``schema``), the store data each database starts with (``seed``) and the
durable on-disk spool of records the database could not take yet (``spool``), and noticing
that files on disk changed so what was read from them is reloaded only then (``files``).

The lowest layer after :mod:`lift.config`: nothing here imports another Lift package.
"""
