"""The configs pass Prometheus' and Alertmanager's own checkers, and every alert is tested."""

from __future__ import annotations

import re
import subprocess

import yaml
from monitoring_helpers import ROOT, metrics_in_rules, tool


def _run(*cmd: str) -> str:
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_prometheus_config_and_its_rule_files_are_valid() -> None:
    out = _run(tool("promtool"), "check", "config", "monitoring/prometheus/prometheus.yml")
    assert "SUCCESS" in out


def test_alert_rules_are_valid() -> None:
    out = _run(tool("promtool"), "check", "rules", "monitoring/prometheus/rules/alerts.yml")
    assert f"{len(metrics_in_rules())} rules found" in out


def test_rule_unit_tests_pass_and_fire_and_clear_every_alert() -> None:
    _run(tool("promtool"), "test", "rules", "monitoring/prometheus/tests/alerts_test.yml")

    cases = yaml.safe_load((ROOT / "monitoring/prometheus/tests/alerts_test.yml").read_text())
    fired, cleared = set(), set()
    for test in cases["tests"]:
        for case in test["alert_rule_test"]:
            (fired if case["exp_alerts"] else cleared).add(case["alertname"])
    alerts = set(metrics_in_rules())
    assert alerts - fired == set(), "alerts with no test that fires them"
    assert alerts - cleared == set(), "alerts with no test that sees them clear"


def test_alertmanager_config_is_valid() -> None:
    _run(tool("amtool"), "check-config", "monitoring/alertmanager/alertmanager.yml")


def test_alertmanager_config_holds_no_secret() -> None:
    text = (ROOT / "monitoring/alertmanager/alertmanager.yml").read_text()
    config = yaml.safe_load(text)

    assert "hooks.slack.com" not in text
    assert "slack_api_url" not in config["global"], "use slack_api_url_file"
    assert "smtp_auth_password" not in config["global"], "use smtp_auth_password_file"
    assert config["global"]["slack_api_url_file"].startswith("/run/secrets/")


def test_critical_alerts_reach_slack_and_email_and_warnings_are_grouped() -> None:
    config = yaml.safe_load((ROOT / "monitoring/alertmanager/alertmanager.yml").read_text())
    receivers = {r["name"]: r for r in config["receivers"]}
    routes = {re.sub(r'\W', '', r["matchers"][0]): r for r in config["route"]["routes"]}

    critical = receivers[routes["severitycritical"]["receiver"]]
    assert critical.get("slack_configs") and critical.get("email_configs")
    assert routes["severitywarning"]["group_by"] == ["alertname"]
