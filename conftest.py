# The project root on sys.path, so tests import `tests.support` and the `actions` package.
