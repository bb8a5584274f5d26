"""The export fixtures (tests/transfer/conftest.py: `tw`, `sign_in`) serve these tests too."""
from tests.transfer.conftest import sign_in, tw  # noqa: F401
