from dataclasses import fields
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rekt_tui.config import ConfigError, Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
REFERRER = "dRiftyHA39MWEi3m9aunc5MzRF1JYuBsbn6VPcn33UH"


def load(tmp_path: Path, toml: str = "", environ: dict | None = None, flags: dict | None = None) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(toml)
    return load_settings(config_path=path, environ=environ or {}, flags=flags)


def test_defaults_match_the_product_table(tmp_path):
    settings = load(tmp_path)
    assert settings.cluster == "localnet"
    assert settings.strategy == "balanced"
    table = {name: (p.max_leverage, p.slippage_bps, p.auction_duration_s) for name, p in settings.strategies.items()}
    assert table == {
        "aggressive": (Decimal(10), 75, 3),
        "balanced": (Decimal(5), 50, 5),
        "high_conviction": (Decimal(3), 30, 8),
    }
    assert settings.gas_reserve_sol == Decimal("0.002")
    assert settings.profile.rpc_url == "http://127.0.0.1:8899"


def test_example_file_documents_exactly_the_defaults(tmp_path):
    from_example = load_settings(config_path=EXAMPLE, environ={}, flags={"data_dir": tmp_path})
    assert from_example == load(tmp_path, flags={"data_dir": tmp_path})


def test_example_file_mentions_every_setting():
    text = EXAMPLE.read_text()
    for name in (field.name for field in fields(Settings)):
        assert name in text, f"config.example.toml does not document {name}"


def test_flags_beat_environment_beat_file(tmp_path):
    toml = 'cluster = "devnet"\nstrategy = "aggressive"\n[ui]\nmax_repaint_hz = 5\n'
    settings = load(
        tmp_path,
        toml,
        environ={"REKT_STRATEGY": "high_conviction", "REKT_UI__MAX_REPAINT_HZ": "30"},
        flags={"cluster": "localnet"},
    )
    assert (settings.cluster, settings.strategy, settings.ui.max_repaint_hz) == ("localnet", "high_conviction", 30)


def test_partial_profile_keeps_the_other_defaults(tmp_path):
    settings = load(tmp_path, '[clusters.devnet]\nrpc_url = "https://rpc.example.org"\n', flags={"cluster": "devnet"})
    assert settings.profile.rpc_url == "https://rpc.example.org"
    assert settings.profile.dlob_url == "https://master.dlob.drift.trade"


def test_decimals_from_toml_are_exact(tmp_path):
    settings = load(tmp_path, "gas_reserve_sol = 0.003\nmin_trading_collateral_usd = 12.34\n")
    assert settings.gas_reserve_sol == Decimal("0.003")
    assert settings.min_trading_collateral_usd == Decimal("12.34")


def test_custom_strategy_and_referrer(tmp_path):
    toml = f'strategy = "scalp"\nreferrer = "{REFERRER}"\n[strategies.scalp]\nmax_leverage = 2.5\nslippage_bps = 10\nauction_duration_s = 2\n'
    settings = load(tmp_path, toml)
    assert settings.preset().max_leverage == Decimal("2.5")
    assert settings.effective_referrer == REFERRER


@pytest.mark.parametrize(
    ("toml", "environ", "expected"),
    [
        ("[strategies.balanced]\nmax_leverage = -1\n", {}, "config file {path}: `strategies.balanced.max_leverage`"),
        ("clustr = 'devnet'\n", {}, "config file {path}: `clustr` is not a setting"),
        ('referrer = "not-a-key"\n', {}, "`referrer` must be a base58 Solana public key"),
        ('[clusters.devnet]\nrpc_url = "ftp://x"\n', {}, "`clusters.devnet.rpc_url` must be a URL starting with http://"),
        ('[clusters.devnet]\nexplorer_tx_url = "https://x/tx"\n', {}, "must contain {{signature}}"),
        ('strategy = "yolo"\n', {}, "`strategy` must be one of aggressive, balanced, high_conviction"),
        ("", {"REKT_DEFAULT_ORDER_EXPIRY_S": "-5"}, "environment variable REKT_DEFAULT_ORDER_EXPIRY_S"),
        ("", {"REKT_CLUSTR": "devnet"}, "environment variable REKT_CLUSTR: `clustr` is not a setting"),
        ('[strategies.new]\nmax_leverage = 2\n', {}, "`strategies.new.slippage_bps` is required"),
        ("keystore_backend = 'plaintext'\n", {}, "`keystore_backend`"),
    ],
)
def test_bad_values_name_source_key_and_fix(tmp_path, toml, environ, expected):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, toml, environ=environ)
    assert expected.format(path=tmp_path / "config.toml") in caught.value.message


def test_strategy_error_is_not_masked_by_cascades(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, "[strategies.balanced]\nslippage_bps = 5000\n")
    assert caught.value.message.count("\n") == 0, "one bad value gives one line"


def test_unparseable_and_missing_files(tmp_path):
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load(tmp_path, "cluster = \n")
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(config_path=tmp_path / "nope.toml", environ={})


def test_mainnet_requires_opt_in(tmp_path):
    with pytest.raises(ConfigError, match="opt in with --mainnet or allow_mainnet = true"):
        load(tmp_path, 'cluster = "mainnet"\n')
    assert load(tmp_path, 'cluster = "mainnet"\nallow_mainnet = true\n').cluster == "mainnet"
    assert load(tmp_path, flags={"cluster": "mainnet", "allow_mainnet": True}).cluster == "mainnet"


NUMERIC_KEYS = ["min_trading_collateral_usd", "gas_reserve_sol", "default_order_expiry_s"]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    key=st.sampled_from(NUMERIC_KEYS),
    value=st.one_of(
        st.integers(max_value=-1),
        st.integers(min_value=10**9),
        st.text(alphabet="abcxyz!", min_size=1, max_size=5),
        st.booleans().map(lambda b: "yes" if b else "[]"),
    ),
)
def test_any_bad_numeric_value_is_one_clear_config_error(tmp_path, key, value):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, environ={f"REKT_{key.upper()}": str(value)})
    assert caught.value.message.startswith(f"environment variable REKT_{key.upper()}: `{key}`")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_arbitrary_file_contents_never_escape_as_other_errors(tmp_path, text):
    try:
        load(tmp_path, text)
    except ConfigError as error:
        assert str(tmp_path / "config.toml") in error.message


def test_localnet_profile_names_the_embedded_ledgers_accounts(tmp_path):
    from rekt_localnet import LOCALNET_LOOKUP_TABLE, LOCALNET_REFERRER

    profile = load(tmp_path).clusters["localnet"]
    assert profile.lookup_tables == (str(LOCALNET_LOOKUP_TABLE),)
    assert profile.referrer == str(LOCALNET_REFERRER)


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_data_dir_is_refused_not_the_current_directory(tmp_path, value):
    with pytest.raises(ConfigError, match=r"`data_dir` must name a directory"):
        load(tmp_path, f'data_dir = "{value}"\n')
    with pytest.raises(ConfigError, match="environment variable REKT_DATA_DIR"):
        load(tmp_path, environ={"REKT_DATA_DIR": value})


def test_a_data_dir_under_home_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert load(tmp_path, 'data_dir = "~/rekt-data"\n').data_dir == tmp_path / "rekt-data"
    assert load(tmp_path, environ={"REKT_DATA_DIR": "~/x"}).data_dir == tmp_path / "x"


def test_a_relative_data_dir_is_anchored_at_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load(tmp_path, flags={"data_dir": "chain"}).data_dir == tmp_path / "chain"
    assert load(tmp_path, environ={"REKT_DATA_DIR": "x/y"}).data_dir == tmp_path / "x" / "y"


def test_the_price_band_setting(tmp_path):
    assert load(tmp_path).guards.price_band_pct == Decimal(10)
    assert load(tmp_path, "[guards]\nprice_band_pct = 2.5\n").guards.price_band_pct == Decimal("2.5")
    with pytest.raises(ConfigError, match="guards.price_band_pct"):
        load(tmp_path, "[guards]\nprice_band_pct = 0\n")


def test_alert_and_loss_limit_settings(tmp_path):
    settings = load(tmp_path)
    assert settings.alerts.health_below == 30 and settings.alerts.funding_rate_pct == Decimal("0.05")
    assert settings.loss_limit.session_max == Decimal(25) and settings.loss_limit.day_max is None
    chosen = load(tmp_path, '[alerts]\nhealth_below = "off"\nwebhook_url = "http://127.0.0.1:9/x"\n'
                            '[loss_limit]\nunit = "usd"\nsession_max = 250\nday_max = 100.5\nauto_stop = true\n')
    assert chosen.alerts.health_below is None and chosen.alerts.webhook_url == "http://127.0.0.1:9/x"
    assert chosen.loss_limit.session_max == Decimal(250) and chosen.loss_limit.day_max == Decimal("100.5")
    assert load(tmp_path, environ={"REKT_LOSS_LIMIT__DAY_MAX": "3"}).loss_limit.day_max == Decimal(3)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[alerts]\nhealth_below = 0\n", "`alerts.health_below` input should be greater than or equal to 1"),
        ("[alerts]\nliquidation_distance_pct = 101\n", "`alerts.liquidation_distance_pct`"),
        ("[alerts]\nwebhook_url = \"ftp://x\"\n", "`alerts.webhook_url` must be a URL starting with http://"),
        ("[alerts]\nwebhook_timeout_s = 0\n", "`alerts.webhook_timeout_s`"),
        ("[loss_limit]\nsession_max = 100\n", "`loss_limit.session_max` must be below 100 when unit is \"pct\""),
        ("[loss_limit]\nday_max = 150\n", "`loss_limit.day_max` must be below 100"),
        ("[loss_limit]\nsession_max = \"off\"\nauto_stop = true\n",
         "`loss_limit.auto_stop` needs session_max or day_max"),
        ("[loss_limit]\nmeasured_from = \"lunch\"\n", "`loss_limit.measured_from`"),
    ],
)
def test_bad_alert_and_loss_limit_values_are_one_line_each(tmp_path, toml, expected):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, toml)
    message = caught.value.message
    assert message.startswith(f"config file {tmp_path / 'config.toml'}: ") and expected in message
    assert "\n" not in message and message.endswith("to use the default.")


def test_settings_built_in_code_are_checked_like_the_file(tmp_path):
    """The checks run however settings are built: a typed-in object, or a copy with one change."""
    from dataclasses import replace

    from rekt_tui.config.checks import Invalid
    from rekt_tui.config.models import AlertSettings, LossLimitSettings

    assert AlertSettings(health_below="off", webhook_timeout_s="2.5") == AlertSettings(
        health_below=None, webhook_timeout_s=Decimal("2.5")
    )
    with pytest.raises(Invalid) as caught:
        AlertSettings(health_below=0)
    [problem] = caught.value.problems
    assert (problem.loc, problem.message) == (("health_below",), "Input should be greater than or equal to 1")
    with pytest.raises(Invalid, match="must be below 100"):
        replace(load(tmp_path).loss_limit, session_max=Decimal(100))
    assert replace(LossLimitSettings(), unit="usd", session_max=Decimal(100)).session_max == Decimal(100)


def test_a_bad_limit_is_not_repeated_as_a_missing_one(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, '[loss_limit]\nsession_max = "lots"\nauto_stop = true\n')
    assert "`loss_limit.session_max`" in caught.value.message and "\n" not in caught.value.message
