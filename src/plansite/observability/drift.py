"""Finds where the monitoring configs no longer describe the code (used by ``plansite doctor``).

The project started from configs that watched services which did not exist. Each check
here compares two sources that must agree and returns one sentence per disagreement,
naming the file and the fix:

- alert rules and dashboard panels ↔ metrics the code declares
  (``plansite.observability.metrics``, plus ``up`` and friends that Prometheus makes);
- alert rules ↔ their unit tests (each alert fires and clears) ↔ runbook sections in
  docs/MONITORING_SETUP.md ↔ Alertmanager routes for their severity;
- dashboard data sources ↔ Grafana provisioning;
- Prometheus scrape targets ↔ docker-compose services (and back, for exporters and the app);
- compose commands, build contexts and mounted paths ↔ the CLI and the repository;
- Kong gateway services and routes ↔ compose services and API routes, when a gateway
  config exists.

Known limits: metric names are taken from PromQL with a tokenizer, not a full parser
(``{__name__="..."}`` selectors are not understood); exporter metrics (``pg_*``,
``node_*``) are accepted by prefix when their exporter runs in compose, without checking
each name.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import yaml

RULES_DIR = "monitoring/prometheus/rules"
RULE_TESTS_DIR = "monitoring/prometheus/tests"
PROMETHEUS_YML = "monitoring/prometheus/prometheus.yml"
ALERTMANAGER_YML = "monitoring/alertmanager/alertmanager.yml"
DASHBOARDS_DIR = "monitoring/grafana/dashboards"
DATASOURCES_DIR = "monitoring/grafana/provisioning/datasources"
COMPOSE_FILES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")
GATEWAY_DIR = "gateway/kong"
RUNBOOK_DOC = "docs/MONITORING_SETUP.md"
METRICS_MODULE = "src/plansite/observability/metrics.py"

# Series Prometheus creates itself for every target and for alerts.
PROMETHEUS_SERIES = {
    "up", "scrape_duration_seconds", "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling", "scrape_series_added", "ALERTS",
    "ALERTS_FOR_STATE",
}
# Metric name prefix → the compose service that exports those metrics.
EXPORTER_PREFIXES = {
    "pg_": "postgres-exporter", "node_": "node-exporter", "prometheus_": "prometheus",
    "alertmanager_": "alertmanager", "loki_": "loki",
}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]"}


@dataclass(frozen=True)
class Drift:
    """One disagreement: the file to change and a sentence saying what and how."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


# --- PromQL ---------------------------------------------------------------------------------

_STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
_BRACES = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_IDENT = re.compile(r"(?<![\w.$])[A-Za-z_:][A-Za-z0-9_:]*")
_KEYWORDS = {
    "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
    "group_left", "group_right", "inf", "nan", "Inf", "NaN", "atan2", "start", "end",
}


def promql_metric_names(expr: str) -> set[str]:
    """Return the metric names a PromQL expression selects."""
    text = _STRING.sub('""', expr)
    text = _BRACES.sub(" ", text)
    text = _RANGE.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    names = set()
    for match in _IDENT.finditer(text):
        rest = text[match.end():].lstrip()
        if rest.startswith("("):
            continue  # a function or an aggregation
        if match.group() not in _KEYWORDS:
            names.add(match.group())
    return names


# --- What the code exports ---------------------------------------------------------------------


def declared_series() -> set[str]:
    """Every sample name ``/metrics`` can carry, from the metric declarations in code."""
    from plansite.observability import metrics

    names: set[str] = set(metrics.JOB_TABLE_SERIES)
    for family in metrics.REGISTRY.collect():
        names.update(_sample_names(family.name, family.type))
    return names


def _sample_names(name: str, kind: str) -> set[str]:
    if kind == "counter":
        return {name + "_total", name + "_created"}
    if kind == "histogram":
        return {name + s for s in ("_bucket", "_count", "_sum", "_created")}
    if kind == "summary":
        return {name, name + "_count", name + "_sum", name + "_created"}
    return {name}


# --- Checks --------------------------------------------------------------------------------------


class Repo:
    """Reads the repository's config files once; missing ones are ``None``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def yaml(self, rel: str):
        path = self.root / rel
        return yaml.safe_load(path.read_text()) if path.is_file() else None

    def files(self, rel_dir: str, *patterns: str) -> list[Path]:
        folder = self.root / rel_dir
        found: list[Path] = []
        for pattern in patterns:
            found.extend(folder.glob(pattern))
        return sorted(found)

    def compose(self) -> tuple[str, dict] | tuple[None, None]:
        for name in COMPOSE_FILES:
            if (self.root / name).is_file():
                return name, (self.yaml(name) or {}).get("services") or {}
        return None, None


def check_all(root: Path) -> tuple[list[Drift], list[str]]:
    """Run every check whose files exist; return the drifts and a line per check that ran."""
    repo = Repo(root)
    exported = declared_series()
    compose_file, services = repo.compose()
    drifts: list[Drift] = []
    ran: list[str] = []

    alerts = list(_alerts(repo))
    if alerts:
        drifts += check_rule_metrics(alerts, exported, services or {})
        drifts += check_rule_tests(repo, alerts)
        drifts += check_runbooks(repo, alerts)
        drifts += check_routes_for_severity(repo, alerts)
        ran.append(f"{len(alerts)} alert rules")
    panels = list(_panels(repo))
    if panels:
        drifts += check_panels(repo, panels, exported, services or {})
        ran.append(f"{len(panels)} dashboard panels")
    scrape = repo.yaml(PROMETHEUS_YML)
    if scrape is not None:
        drifts += check_scrape_targets(scrape, compose_file, services)
        drifts += check_rule_files(repo, scrape)
        ran.append("Prometheus scrape targets")
    if compose_file:
        drifts += check_compose(repo, compose_file, services or {})
        ran.append(f"{len(services or {})} compose services")
    gateway = repo.files(GATEWAY_DIR, "*.yml", "*.yaml")
    if gateway:
        drifts += check_gateway(repo, gateway, compose_file, services or {})
        ran.append(f"{len(gateway)} gateway config(s)")
    return drifts, ran


@dataclass(frozen=True)
class Alert:
    file: str
    name: str
    expr: str
    labels: dict
    annotations: dict


def _alerts(repo: Repo) -> Iterable[Alert]:
    for path in repo.files(RULES_DIR, "*.yml", "*.yaml"):
        data = yaml.safe_load(path.read_text()) or {}
        for group in data.get("groups") or []:
            for rule in group.get("rules") or []:
                if "alert" in rule:
                    yield Alert(repo.rel(path), rule["alert"], str(rule.get("expr", "")),
                                rule.get("labels") or {}, rule.get("annotations") or {})


def _unknown_metric(name: str, exported: set[str], services: dict) -> bool:
    if name in exported or name in PROMETHEUS_SERIES:
        return False
    for prefix, service in EXPORTER_PREFIXES.items():
        if name.startswith(prefix) and service in services:
            return False
    return True


def _fix_for(name: str, exported: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(exported), n=1, cutoff=0.75)
    hint = f"use `{close[0]}`, or " if close else ""
    return f"{hint}export `{name}` from {METRICS_MODULE}"


def check_rule_metrics(alerts: list[Alert], exported: set[str], services: dict) -> list[Drift]:
    drifts = []
    for alert in alerts:
        for name in sorted(promql_metric_names(alert.expr)):
            if _unknown_metric(name, exported, services):
                drifts.append(Drift(alert.file, (
                    f"alert {alert.name} uses metric `{name}`, which no PlanSiteOS code "
                    f"exports; {_fix_for(name, exported)}."
                )))
    return drifts


def check_rule_tests(repo: Repo, alerts: list[Alert]) -> list[Drift]:
    fires: set[str] = set()
    clears: set[str] = set()
    for path in repo.files(RULE_TESTS_DIR, "*.yml", "*.yaml"):
        data = yaml.safe_load(path.read_text()) or {}
        for test in data.get("tests") or []:
            for case in test.get("alert_rule_test") or []:
                (fires if case.get("exp_alerts") else clears).add(case.get("alertname"))
    drifts = []
    for alert in alerts:
        missing = [what for what, seen in (("fires", fires), ("clears", clears))
                   if alert.name not in seen]
        if missing:
            drifts.append(Drift(RULE_TESTS_DIR, (
                f"alert {alert.name} ({alert.file}) has no promtool test showing it "
                f"{' and '.join(missing)}; add an alert_rule_test case for it."
            )))
    return drifts


def _anchors(markdown: str) -> set[str]:
    anchors = set()
    for line in markdown.splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            slug = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
            anchors.add(slug)
    return anchors


def check_runbooks(repo: Repo, alerts: list[Alert]) -> list[Drift]:
    doc = repo.root / RUNBOOK_DOC
    anchors = _anchors(doc.read_text()) if doc.is_file() else set()
    drifts = []
    for alert in alerts:
        runbook = str(alert.annotations.get("runbook", ""))
        anchor = runbook.partition("#")[2]
        if not runbook:
            drifts.append(Drift(alert.file, (
                f"alert {alert.name} has no `runbook` annotation; add "
                f"`runbook: {RUNBOOK_DOC}#{alert.name.lower()}`."
            )))
        elif anchor not in anchors:
            drifts.append(Drift(RUNBOOK_DOC, (
                f"alert {alert.name} points to {runbook}, but the document has no such "
                f"section; add a heading `### {alert.name}` saying what it means and what "
                f"to do."
            )))
    return drifts


def check_routes_for_severity(repo: Repo, alerts: list[Alert]) -> list[Drift]:
    config = repo.yaml(ALERTMANAGER_YML)
    if config is None:
        return []
    routed = set()
    for route in (config.get("route") or {}).get("routes") or []:
        for matcher in route.get("matchers") or []:
            found = re.match(r'\s*severity\s*=\s*"?([\w-]+)"?\s*$', str(matcher))
            if found:
                routed.add(found.group(1))
        routed.update(v for k, v in (route.get("match") or {}).items() if k == "severity")
    drifts = []
    for severity in sorted({str(a.labels.get("severity", "")) for a in alerts}):
        if severity and severity not in routed:
            names = ", ".join(a.name for a in alerts if a.labels.get("severity") == severity)
            drifts.append(Drift(ALERTMANAGER_YML, (
                f"no route matches severity=\"{severity}\" (used by {names}); add a route "
                f"with `matchers: ['severity=\"{severity}\"']` or change their severity."
            )))
    return drifts


@dataclass(frozen=True)
class Panel:
    file: str
    title: str
    datasource: str
    exprs: tuple[str, ...]


def _panels(repo: Repo) -> Iterable[Panel]:
    for path in repo.files(DASHBOARDS_DIR, "**/*.json"):
        dashboard = json.loads(path.read_text())
        stack = list(dashboard.get("panels") or [])
        while stack:
            panel = stack.pop(0)
            stack.extend(panel.get("panels") or [])
            targets = panel.get("targets") or []
            if not targets:
                continue
            source = panel.get("datasource") or targets[0].get("datasource") or {}
            uid = source.get("uid", "") if isinstance(source, dict) else str(source)
            exprs = tuple(str(t.get("expr", "")) for t in targets if t.get("expr"))
            yield Panel(repo.rel(path), str(panel.get("title", "?")), uid, exprs)


def _datasources(repo: Repo) -> dict[str, str]:
    found = {}
    for path in repo.files(DATASOURCES_DIR, "*.yml", "*.yaml"):
        for source in (yaml.safe_load(path.read_text()) or {}).get("datasources") or []:
            found[str(source.get("uid"))] = str(source.get("type"))
    return found


def check_panels(
    repo: Repo, panels: list[Panel], exported: set[str], services: dict
) -> list[Drift]:
    sources = _datasources(repo)
    drifts = []
    for panel in panels:
        if panel.datasource not in sources:
            drifts.append(Drift(panel.file, (
                f"panel \"{panel.title}\" uses data source uid `{panel.datasource}`, which "
                f"{DATASOURCES_DIR} does not provision; use one of {sorted(sources)}."
            )))
            continue
        if sources[panel.datasource] != "prometheus":
            continue
        for expr in panel.exprs:
            for name in sorted(promql_metric_names(expr)):
                if _unknown_metric(name, exported, services):
                    drifts.append(Drift(panel.file, (
                        f"panel \"{panel.title}\" queries `{name}`, which no PlanSiteOS "
                        f"code exports; {_fix_for(name, exported)}, or remove the panel."
                    )))
    return drifts


def _targets(scrape: dict) -> Iterable[tuple[str, str]]:
    for job in scrape.get("scrape_configs") or []:
        for static in job.get("static_configs") or []:
            for target in static.get("targets") or []:
                yield str(job.get("job_name")), str(target)
    for manager in (scrape.get("alerting") or {}).get("alertmanagers") or []:
        for static in manager.get("static_configs") or []:
            for target in static.get("targets") or []:
                yield "alerting", str(target)


def _ports(service: dict) -> set[str]:
    ports = {str(p) for p in service.get("expose") or []}
    for mapping in service.get("ports") or []:
        ports.add(str(mapping).split(":")[-1].split("/")[0])
    return ports


def _is_app(service: dict) -> bool:
    command = service.get("command") or ""
    words = command if isinstance(command, list) else str(command).split()
    return "plansite" in words and "serve" in words


def check_scrape_targets(scrape: dict, compose_file: str | None, services) -> list[Drift]:
    drifts = []
    targeted: set[str] = set()
    for job, target in _targets(scrape):
        host, _, port = target.rpartition(":")
        if host in LOCAL_HOSTS:
            continue
        targeted.add(host)
        if services is None:
            drifts.append(Drift(PROMETHEUS_YML, (
                f"job {job} scrapes {target}, but there is no docker-compose.yml running "
                f"`{host}`; add the service or remove the target."
            )))
        elif host not in services:
            drifts.append(Drift(PROMETHEUS_YML, (
                f"job {job} scrapes {target}, but {compose_file} has no service `{host}`; "
                f"remove the target or add the service (only if its process exists)."
            )))
        elif port not in _ports(services[host]):
            drifts.append(Drift(str(compose_file), (
                f"service {host} does not expose port {port}, which job {job} in "
                f"{PROMETHEUS_YML} scrapes; add `expose: [\"{port}\"]` or fix the target."
            )))
    for name, service in (services or {}).items():
        if (name.endswith("-exporter") or _is_app(service)) and name not in targeted:
            drifts.append(Drift(PROMETHEUS_YML, (
                f"{compose_file} runs {name}, which serves metrics, but no scrape job "
                f"targets it; add a job with target `{name}:<port>`."
            )))
    return drifts


def check_rule_files(repo: Repo, scrape: dict) -> list[Drift]:
    base = repo.root / Path(PROMETHEUS_YML).parent
    drifts = []
    for pattern in scrape.get("rule_files") or []:
        if not list(base.glob(pattern)):
            drifts.append(Drift(PROMETHEUS_YML, (
                f"rule_files entry `{pattern}` matches no file under {repo.rel(base)}; "
                f"fix the pattern or add the rules."
            )))
    return drifts


def _cli_commands() -> set[str]:
    from plansite.cli.main import build_parser

    parser = build_parser()
    for action in parser._actions:
        if action.dest == "command":
            return set(action.choices)
    return set()


def check_compose(repo: Repo, compose_file: str, services: dict) -> list[Drift]:
    drifts = []
    commands = _cli_commands()
    for name, service in services.items():
        command = service.get("command") or []
        words = command if isinstance(command, list) else str(command).split()
        if words[:1] == ["plansite"] and (len(words) < 2 or words[1] not in commands):
            drifts.append(Drift(compose_file, (
                f"service {name} runs `{' '.join(words)}`, but `plansite` has no such "
                f"command (it has {', '.join(sorted(commands))}); fix the command."
            )))
        build = service.get("build")
        if build is not None:
            context = build if isinstance(build, str) else build.get("context", ".")
            dockerfile = "Dockerfile" if isinstance(build, str) else build.get(
                "dockerfile", "Dockerfile")
            if not (repo.root / context / dockerfile).is_file():
                drifts.append(Drift(compose_file, (
                    f"service {name} builds from {context}/{dockerfile}, which does not "
                    f"exist; add the Dockerfile or use an image."
                )))
        if "image" not in service and build is None:
            drifts.append(Drift(compose_file, (
                f"service {name} has neither `image` nor `build`; it cannot start."
            )))
        for volume in service.get("volumes") or []:
            source = str(volume).split(":")[0]
            if source.startswith(".") and not (repo.root / source).exists():
                drifts.append(Drift(compose_file, (
                    f"service {name} mounts {source}, which is not in the repository; "
                    f"fix the path or add it."
                )))
    return drifts


def _api_paths() -> list[str]:
    """Route templates of the API: its OpenAPI paths plus the unlisted operational ones."""
    from plansite.api.app import create_app

    return [*create_app().openapi().get("paths", {}), "/metrics", "/health", "/ready"]


def check_gateway(
    repo: Repo, files: list[Path], compose_file: str | None, services: dict
) -> list[Drift]:
    drifts = []
    try:
        paths = _api_paths()
    except Exception as exc:  # noqa: BLE001 - report, do not crash the doctor
        return [Drift("src/plansite/api/app.py", (
            f"the API app cannot be built to compare gateway routes ({exc}); fix create_app."
        ))]
    for path in files:
        config = yaml.safe_load(path.read_text()) or {}
        for service in config.get("services") or []:
            host = urlparse(str(service.get("url", ""))).hostname or service.get("host")
            if host and host not in services and host not in LOCAL_HOSTS:
                drifts.append(Drift(repo.rel(path), (
                    f"gateway service {service.get('name')} sends traffic to `{host}`, which "
                    f"{compose_file or 'no compose file'} runs; point it at a real service."
                )))
            for route in service.get("routes") or []:
                for prefix in route.get("paths") or []:
                    if not any(p.startswith(str(prefix)) for p in paths):
                        drifts.append(Drift(repo.rel(path), (
                            f"gateway route {route.get('name')} forwards `{prefix}`, but no "
                            f"API route starts with it; remove the route or fix the path."
                        )))
    return drifts
