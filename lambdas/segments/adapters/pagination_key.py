"""The pagination key from Secrets Manager, refreshed every ``max_age`` seconds so a rotation takes effect.

``put-secret-value`` moves ``AWSCURRENT`` to the new key and ``AWSPREVIOUS`` to the old one: new
tokens are signed with the current key and tokens handed out before the rotation stay valid.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from segments.adapters.aws import RETRY_CONFIG
from segments.domain.paging import Keyring

KEY_MAX_AGE_SECONDS = 300


class SecretKeyring:
    """Keyring of a Secrets Manager secret: AWSCURRENT signs, AWSPREVIOUS is still accepted."""

    def __init__(self, secret_id: str, *, max_age: int = KEY_MAX_AGE_SECONDS) -> None:
        self.secret_id, self.max_age = secret_id, max_age
        # Two providers: Powertools caches by name alone, so one provider would serve the
        # current value for the previous stage.
        self._current = SecretsProvider(boto_config=RETRY_CONFIG)
        self._previous = SecretsProvider(boto_config=RETRY_CONFIG)
        self._alone: str | None = None  # a current key known to have no previous version

    def __call__(self) -> Keyring:
        """The keyring as of now (each key cached for ``max_age`` seconds)."""
        current = str(self._current.get(self.secret_id, max_age=self.max_age))
        return Keyring(current.encode("utf-8"), self._previous_key(current))

    def _previous_key(self, current: str) -> bytes | None:
        # A secret never rotated has no previous version: remember that for this current key
        # rather than ask on every request; a new current key means a rotation, so ask again.
        if current == self._alone:
            return None
        try:
            value = self._previous.get(self.secret_id, max_age=self.max_age, VersionStage="AWSPREVIOUS")
        except GetParameterError:
            self._alone = current
            return None
        return str(value).encode("utf-8")


def static_keyring(current: str) -> Callable[[], Keyring]:
    """A keyring of one key given as text (local mode and tests)."""
    ring = Keyring(current.encode("utf-8"))
    return lambda: ring
