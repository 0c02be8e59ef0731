"""Rasa plugins (tracker store, channels) loaded by class path from endpoints.yml and
credentials.yml. Kept import-free so loading one plugin does not pull in the others."""
