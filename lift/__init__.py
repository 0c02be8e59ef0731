"""Lift: the business logic of the conversion assistant, importable without Rasa."""
__version__ = "0.1.0"
