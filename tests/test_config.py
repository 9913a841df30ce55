"""config.toml into frozen dataclasses; environment overrides; malformed values named by key."""
import dataclasses

import pytest

from index.config import load_config
from index.errors import ConfigError


def write(tmp_path, text):
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_file_and_env_override(tmp_path):
    p = write(tmp_path, '[server]\nport = 9001\nallowed_origins = ["https://gov.example"]\n')
    c = load_config(p, env={"QABOT_SERVER_HOST": "0.0.0.0", "QABOT_SEARCH_WINDOW_WEIGHT": "0.7",
                            "QABOT_SERVER_ALLOWED_ORIGINS": "https://a.example, https://b.example"})
    assert c.server.port == 9001 and c.server.host == "0.0.0.0" and c.search.window_weight == 0.7
    assert c.server.allowed_origins == ("https://a.example", "https://b.example")
    assert c.data_dir == tmp_path / ".cache"  # relative paths resolve against the config file
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.server.port = 1


@pytest.mark.parametrize("text,needle", [
    ("[server]\nport = \"80\"\n", "[server] port"),
    ("[server]\nprot = 80\n", "unknown key [server] prot"),
    ("[nonsense]\nx = 1\n", "unknown section"),
    ("[server\nport = 80\n", "not valid TOML"),
    ("server = 3\n", "[server] must be a table"),
    ("[answer]\nshort_answer_score = true\n", "[answer] short_answer_score"),
])
def test_malformed_config_is_named(tmp_path, text, needle):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text), env={})
    assert needle in str(err.value)


def test_bad_env_override_is_named(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, ""), env={"QABOT_SERVER_PORT": "eighty"})
    assert "[server] port" in str(err.value)


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError):
        load_config(tmp_path / "nope.toml", env={})


def test_shipped_config_loads_with_no_secrets_in_it():
    from tests.conftest import ROOT

    text = (ROOT / "config.toml").read_text(encoding="utf-8").lower()
    load_config(ROOT / "config.toml", env={})
    for secret in ("bot_token", "aes_key", "admin_token"):
        assert f"{secret} =" not in text
