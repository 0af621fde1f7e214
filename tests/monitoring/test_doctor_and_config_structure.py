"""``plansite doctor`` finds drift and says how to fix it; the configs it cannot run are
checked for structure (Docker, Grafana and Loki are not available where tests run)."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest
import yaml
from monitoring_helpers import ROOT

from plansite.cli.doctor import run as doctor
from plansite.observability.drift import promql_metric_names

COPIED = ("monitoring", "docs", "docker-compose.yml", "Dockerfile")


def _doctor(root: Path, capsys) -> tuple[int, str]:
    code = doctor(argparse.Namespace(root=root))
    return code, capsys.readouterr().out


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy(source, tmp_path / name)
    return tmp_path


def test_doctor_finds_no_drift_in_the_repository(capsys) -> None:
    code, out = _doctor(ROOT, capsys)
    assert code == 0, out
    assert "no drift" in out


def test_doctor_names_file_and_fix_for_each_kind_of_drift(repo_copy: Path, capsys) -> None:
    rules = repo_copy / "monitoring/prometheus/rules/alerts.yml"
    data = yaml.safe_load(rules.read_text())
    data["groups"][0]["rules"].append({
        "alert": "ParsingServiceDown", "expr": "parsing_queue_depth > 5",
        "labels": {"severity": "page"},
        "annotations": {"runbook": "docs/MONITORING_SETUP.md#parsingservicedown"},
    })
    rules.write_text(yaml.safe_dump(data))

    prom = repo_copy / "monitoring/prometheus/prometheus.yml"
    config = yaml.safe_load(prom.read_text())
    config["scrape_configs"].append(
        {"job_name": "vision", "static_configs": [{"targets": ["vision:8081"]}]})
    prom.write_text(yaml.safe_dump(config))

    dashboard = next((repo_copy / "monitoring/grafana/dashboards").glob("*.json"))
    board = json.loads(dashboard.read_text())
    board["panels"].append({"title": "Kong latency", "datasource": {"uid": "prometheus"},
                            "targets": [{"expr": "rate(kong_latency_bucket[5m])"}]})
    dashboard.write_text(json.dumps(board))

    compose = repo_copy / "docker-compose.yml"
    services = yaml.safe_load(compose.read_text())
    del services["services"]["node-exporter"]
    services["services"]["api"]["command"] = ["plansite", "server"]
    compose.write_text(yaml.safe_dump(services))

    code, out = _doctor(repo_copy, capsys)

    assert code == 1
    drifts = [line for line in out.splitlines() if line.startswith("DRIFT ")]
    expected = [
        ("alerts.yml", "ParsingServiceDown uses metric `parsing_queue_depth`"),
        ("MONITORING_SETUP.md", "ParsingServiceDown points to"),
        ("tests", "ParsingServiceDown"),
        ("alertmanager.yml", 'severity="page"'),
        ("prometheus.yml", "scrapes vision:8081"),
        ("prometheus.yml", "node-exporter:9100"),
        ("plansite-overview.json", "`kong_latency_bucket`"),
        ("docker-compose.yml", "`plansite server`"),
    ]
    for file, words in expected:
        assert any(file in d and words in d for d in drifts), (file, words, out)


def test_doctor_checks_gateway_routes_when_a_gateway_config_exists(repo_copy, capsys) -> None:
    gateway = repo_copy / "gateway/kong"
    gateway.mkdir(parents=True)
    (gateway / "kong.yml").write_text(yaml.safe_dump({"services": [
        {"name": "api", "url": "http://api:5000",
         "routes": [{"name": "api", "paths": ["/api/v1/projects"]}]},
        {"name": "parsing", "url": "http://parsing:8080",
         "routes": [{"name": "parse", "paths": ["/parse"]}]},
    ]}))

    code, out = _doctor(repo_copy, capsys)

    assert code == 1
    assert "sends traffic to `parsing`" in out
    assert "forwards `/parse`, but no API route starts with it" in out
    assert "/api/v1/projects`" not in out


@pytest.mark.parametrize(("expr", "names"), [
    ('sum by (job) (rate(http_requests_total{status_code=~"5..",route!~"/a|/b"}[5m]))',
     {"http_requests_total"}),
    ("histogram_quantile(0.95, sum by (le) (rate(x_seconds_bucket[5m]))) > 1.5e3",
     {"x_seconds_bucket"}),
    ('up{job="plansite"} == 1 unless on (job, instance) job_queue_depth',
     {"up", "job_queue_depth"}),
    ("a / ignoring(stage) group_left b offset 5m", {"a", "b"}),
])
def test_metric_names_are_read_from_promql(expr: str, names: set[str]) -> None:
    assert promql_metric_names(expr) == names


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_compose_runs_only_processes_that_exist() -> None:
    services = _compose()

    assert services["api"]["command"][:2] == ["plansite", "serve"]
    assert (ROOT / "Dockerfile").is_file()
    for name, service in services.items():
        assert "image" in service or "build" in service, name
    made_up = {"parsing", "vision", "estimation", "rendering", "assistant", "kong"}
    assert made_up.isdisjoint(services)
    text = (ROOT / "docker-compose.yml").read_text()
    assert "PASSWORD: ${" in text and "password=" not in text.lower()


def test_grafana_provisioning_and_dashboard_are_well_formed() -> None:
    sources = yaml.safe_load(
        (ROOT / "monitoring/grafana/provisioning/datasources/datasources.yml").read_text())
    uids = {s["uid"]: s["type"] for s in sources["datasources"]}
    assert uids == {"prometheus": "prometheus", "loki": "loki"}

    provider = yaml.safe_load(
        (ROOT / "monitoring/grafana/provisioning/dashboards/dashboards.yml").read_text())
    mounted = [v for v in _compose()["grafana"]["volumes"] if "dashboards:" in v][0]
    assert provider["providers"][0]["options"]["path"] == mounted.split(":")[1]

    for path in (ROOT / "monitoring/grafana/dashboards").glob("*.json"):
        board = json.loads(path.read_text())
        ids = [p["id"] for p in board["panels"]]
        assert board["uid"] and len(ids) == len(set(ids)), path
        for panel in board["panels"]:
            if panel["type"] != "row":
                assert panel["targets"] and panel["datasource"]["uid"] in uids, panel


def test_loki_config_matches_what_the_app_pushes() -> None:
    config = yaml.safe_load((ROOT / "monitoring/loki/loki-config.yml").read_text())
    service = _compose()["loki"]

    assert config["auth_enabled"] is False
    assert config["server"]["http_listen_port"] == 3100
    assert config["schema_config"]["configs"][0]["store"] == "tsdb"
    assert service["command"] == ["-config.file=/etc/loki/loki-config.yml"]
    assert _compose()["api"]["environment"]["LOKI_URL"] == "http://loki:3100"
