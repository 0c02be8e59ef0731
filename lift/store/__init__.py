"""Storage: the database engine and sessions (``engine``), every table Lift owns on one
declarative ``Base`` (``models``, Rasa's ``events`` table stays Rasa's), creating and opening
a ready database (``schema``) and the store data each database starts with (``seed``).

The lowest layer after :mod:`lift.config`: nothing here imports another Lift package.
"""
