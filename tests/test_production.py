"""What production mode needs from the repository itself (the full check is .ci/smoke)."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"


def test_every_source_map_a_static_file_names_is_there():
    # The manifest storage fails collectstatic (and so the image build) on a missing one.
    missing = [
        f"{path.relative_to(STATIC)} -> {name}"
        for path in STATIC.rglob("*")
        if path.suffix in (".js", ".css")
        for name in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="ignore"))
        if not name.startswith("data:") and not (path.parent / name).exists()
    ]
    assert missing == []


COMPOSE = STATIC.parent / "docker-compose.yml"
SERVICE_KEYS = {
    "image", "build", "command", "entrypoint", "environment", "env_file", "volumes", "ports",
    "depends_on", "healthcheck", "restart", "deploy", "expose", "user", "working_dir",
    "stop_grace_period", "stop_signal", "init", "profiles", "labels", "networks", "scale",
    "container_name", "tmpfs", "ulimits", "logging", "extra_hosts", "shm_size",
}  # fmt: skip


def test_docker_compose_file_is_a_valid_stack():
    """A schema check of what compose reads (no engine here): known keys, every service
    runnable, dependencies and named volumes declared, required variables said so."""
    import shutil
    import subprocess

    import yaml

    spec = yaml.safe_load(COMPOSE.read_text())
    assert set(spec) <= {"services", "volumes", "networks", "configs", "secrets", "name"} | {
        key for key in spec if key.startswith("x-")
    }
    services, volumes = spec["services"], spec.get("volumes") or {}
    assert {"db", "redis", "web"} <= set(services)
    problems = []
    for name, service in services.items():
        unknown = set(service) - SERVICE_KEYS - {k for k in service if k.startswith("x-")}
        if unknown:
            problems.append(f"{name}: unknown keys {sorted(unknown)}")
        if not ({"image", "build"} & set(service)):
            problems.append(f"{name}: neither image nor build")
        depends = service.get("depends_on") or {}
        for other in depends if isinstance(depends, (dict, list)) else []:
            if other not in services:
                problems.append(f"{name}: depends on unknown service {other}")
            elif isinstance(depends, dict):
                condition = depends[other].get("condition", "service_started")
                if condition == "service_healthy" and "healthcheck" not in services[other]:
                    problems.append(f"{name}: waits for {other}'s health, which has no check")
        for mount in service.get("volumes") or []:
            source = mount.split(":")[0] if isinstance(mount, str) else mount.get("source", "")
            if source and not source.startswith((".", "/", "~", "$")) and source not in volumes:
                problems.append(f"{name}: volume {source} is not declared")
        environment = service.get("environment") or {}
        assert isinstance(environment, (dict, list)), name
        for port in service.get("ports") or []:
            assert isinstance(port, (str, dict)), f"{name}: quote the port {port!r}"
    assert problems == []
    web = services["web"]
    assert "SECRET_KEY" in str(web.get("environment")) and ":?" in str(web.get("environment"))
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        done = subprocess.run(
            ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
            capture_output=True, text=True, env={"SECRET_KEY": "x", "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
