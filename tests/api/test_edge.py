"""The HTTP edge under attack: error text cut between characters, requests
refused from their headers before any body is read, framing attacks,
guest-cart fixation, held answers of vanished clients, and slow clients
that must not pin memory or connections."""
import pytest

from conftest import assert_problem


@pytest.mark.parametrize("key", ["\u00e9" * 24, "\u20ac" * 16, "x" + "\U0001F600" * 20, "k" * 200])
def test_long_multibyte_unknown_keys_keep_the_field_list(api, key):
    r = api.post("/api/auth/login", json={"email": "a@b.co", "password": "whatever1", key: 1})
    body = assert_problem(r, 400, "field_not_allowed")
    assert len(body["errors"]) == 1, body
    field = body["errors"][0]["field"]
    assert field and key.startswith(field), body
    assert body["detail"].startswith("field '") and body["detail"].endswith("cannot be set by the client")
