import pytest

from sabidamu.config import ConfigError, load_settings


def test_production_refuses_missing_secrets(tmp_path):
    with pytest.raises(ConfigError, match="SABIDAMU_SECRET_KEY"):
        load_settings({"SABIDAMU_ENV": "production", "SABIDAMU_INSTANCE_DIR": str(tmp_path)})


def test_production_refuses_placeholder(tmp_path):
    env = {"SABIDAMU_ENV": "production", "SABIDAMU_INSTANCE_DIR": str(tmp_path), "SABIDAMU_SECRET_KEY": "change-me"}
    with pytest.raises(ConfigError, match="placeholder"):
        load_settings(env)


def test_production_refuses_missing_master_key(tmp_path):
    env = {"SABIDAMU_ENV": "production", "SABIDAMU_INSTANCE_DIR": str(tmp_path), "SABIDAMU_SECRET_KEY": "s" * 40,
           "SABIDAMU_BLIND_INDEX_KEY": "QUJD" * 12, "SABIDAMU_DATABASE_URL": "postgresql://x/y"}
    with pytest.raises(ConfigError, match="MASTER_KEY"):
        load_settings(env)


def test_production_refuses_short_blind_key(tmp_path):
    env = {"SABIDAMU_ENV": "production", "SABIDAMU_INSTANCE_DIR": str(tmp_path), "SABIDAMU_SECRET_KEY": "s" * 40,
           "SABIDAMU_BLIND_INDEX_KEY": "QUJD"}
    with pytest.raises(ConfigError, match="32 random bytes"):
        load_settings(env)


def test_production_accepts_complete_settings(tmp_path):
    keyfile = tmp_path / "master.keys"
    keyfile.write_text("mk-1:" + "QUJD" * 10 + "QUI=\n")
    env = {"SABIDAMU_ENV": "production", "SABIDAMU_INSTANCE_DIR": str(tmp_path), "SABIDAMU_SECRET_KEY": "s" * 40,
           "SABIDAMU_BLIND_INDEX_KEY": "QUJD" * 12, "SABIDAMU_DATABASE_URL": "postgresql://db/sabidamu",
           "SABIDAMU_MASTER_KEY_FILE": str(keyfile), "SABIDAMU_AUDIT_MAC_KEY": "QUJD" * 12}
    settings = load_settings(env)
    assert settings.production and settings.database_url.startswith("postgresql")


def test_development_creates_its_own_secrets(tmp_path):
    settings = load_settings({"SABIDAMU_INSTANCE_DIR": str(tmp_path)})
    assert (tmp_path / "keys" / "session.key").exists()
    assert (tmp_path / "keys" / "session.key").stat().st_mode & 0o777 == 0o600
    assert settings.secret_key == load_settings({"SABIDAMU_INSTANCE_DIR": str(tmp_path)}).secret_key


def test_production_refuses_missing_audit_mac_key(tmp_path):
    keyfile = tmp_path / "master.keys"
    keyfile.write_text("mk-1:" + "QUJD" * 10 + "QUI=\n")
    env = {"SABIDAMU_ENV": "production", "SABIDAMU_INSTANCE_DIR": str(tmp_path), "SABIDAMU_SECRET_KEY": "s" * 40,
           "SABIDAMU_BLIND_INDEX_KEY": "QUJD" * 12, "SABIDAMU_DATABASE_URL": "postgresql://db/sabidamu",
           "SABIDAMU_MASTER_KEY_FILE": str(keyfile)}
    with pytest.raises(ConfigError, match="SABIDAMU_AUDIT_MAC_KEY"):
        load_settings(env)
    # Development makes its own (0600) beside the other keys.
    settings = load_settings({"SABIDAMU_INSTANCE_DIR": str(tmp_path / "dev")})
    assert len(settings.audit_mac_key) >= 32
    assert (tmp_path / "dev" / "keys" / "audit-mac.key").stat().st_mode & 0o777 == 0o600


def test_the_app_reads_the_audit_sequencer_interval_from_the_environment_it_is_given(tmp_path):
    from sabidamu import create_app

    app = create_app(environ={"SABIDAMU_INSTANCE_DIR": str(tmp_path), "SABIDAMU_AUDIT_SEQUENCE_SECONDS": "7.5"})
    assert app.config["AUDIT_SEQUENCE_SECONDS"] == 7.5
    assert app.config["SETTINGS"].audit_sequence_seconds == 7.5


def test_backup_keys_and_metrics_directory_come_from_the_environment(tmp_path):
    settings = load_settings({"SABIDAMU_INSTANCE_DIR": str(tmp_path), "SABIDAMU_BACKUP_RECIPIENT": "age1xyz",
                              "SABIDAMU_BACKUP_IDENTITY_FILE": str(tmp_path / "id.txt"),
                              "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
                              "SABIDAMU_INSTRUMENTS_DIR": str(tmp_path / "instruments")})
    assert settings.backup_recipient == "age1xyz"
    assert settings.backup_identity_file == tmp_path / "id.txt"
    assert settings.prometheus_multiproc_dir == tmp_path / "prom"
    assert settings.instruments_dir == tmp_path / "instruments"
    assert load_settings({"SABIDAMU_INSTANCE_DIR": str(tmp_path)}).prometheus_multiproc_dir is None


def test_every_environment_variable_is_read_in_the_settings_module():
    # One place knows the environment: the settings. Other modules get a Settings value.
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "sabidamu"
    readers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "config.py" and re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text())
    )
    assert readers == []


@pytest.mark.parametrize(("value", "minutes"), [("", 5), ("1", 1), ("15", 15), ("60", 60)])
def test_the_analytics_refresh_pause(tmp_path, value, minutes):
    env = {"SABIDAMU_INSTANCE_DIR": str(tmp_path), "SABIDAMU_ANALYTICS_REFRESH_MINUTES": value}
    assert load_settings(env).analytics_refresh_minutes == minutes


@pytest.mark.parametrize("value", ["0", "61", "-5", "five", "2.5"])
def test_the_analytics_refresh_pause_is_refused_outside_one_to_sixty_minutes(tmp_path, value):
    with pytest.raises(ConfigError, match="SABIDAMU_ANALYTICS_REFRESH_MINUTES"):
        load_settings({"SABIDAMU_INSTANCE_DIR": str(tmp_path), "SABIDAMU_ANALYTICS_REFRESH_MINUTES": value})
