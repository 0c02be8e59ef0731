"""Alembic migrations of Lift's own tables (never Rasa's ``events``); run them with
``lift db upgrade`` (:func:`lift.store.schema.upgrade`). New revision:
``LIFT_DB_URL=... alembic -c lift/store/migrations/alembic.ini revision --autogenerate -m "..."``.
"""
