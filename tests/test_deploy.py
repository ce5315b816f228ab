"""What an operator deploys with: the Dockerfile (linted here; built and run where a Docker
daemon answers), compose.yaml, the systemd unit, and the README's commands."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from tests.conftest import TOKEN, USER
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.test_main import bot_process, reply, say

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


# --- Dockerfile -------------------------------------------------------------------------------


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order: comments dropped, continued lines joined."""
    result: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        name, _, arguments = line.partition(" ")
        result.append((name.upper(), arguments.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return result


DOCKERFILE = instructions(ROOT / "Dockerfile")


def arguments_of(name: str) -> list[str]:
    return [arguments for instruction, arguments in DOCKERFILE if instruction == name]


def index_of(name: str, contains: str = "") -> int:
    return next(
        i
        for i, (instruction, arguments) in enumerate(DOCKERFILE)
        if instruction == name and contains in arguments
    )


def test_dockerfile_builds_on_a_slim_python_the_project_supports() -> None:
    [base] = arguments_of("FROM")
    match = re.fullmatch(r"python:(\d+)\.(\d+)-slim(-\w+)?", base)
    assert match, base
    pyproject = (ROOT / "pyproject.toml").read_text()
    minimum = re.search(r'requires-python = ">=(\d+)\.(\d+)"', pyproject)
    assert minimum is not None
    assert (int(match[1]), int(match[2])) >= (int(minimum[1]), int(minimum[2]))


def test_dependencies_are_installed_in_a_layer_of_their_own() -> None:
    """requirements.txt alone is copied and installed before the code: a code change does not
    reinstall every package."""
    copy_requirements = index_of("COPY", "requirements.txt")
    install = index_of("RUN", "pip install -r requirements.txt")
    copy_code = index_of("COPY", ". ")
    assert copy_requirements < install < copy_code
    assert arguments_of("COPY")[0].split()[0] == "requirements.txt"


def test_the_bot_runs_as_a_fixed_non_root_user_after_every_install() -> None:
    [user] = arguments_of("USER")
    uid = user.split(":")[0]
    assert uid.isdigit()
    assert int(uid) >= 1000
    assert re.search(rf"useradd .*--uid {uid}\b", " ".join(arguments_of("RUN")))
    user_at = index_of("USER")
    assert all(i < user_at for i, (name, _) in enumerate(DOCKERFILE) if name in {"RUN", "COPY"})


def test_the_data_folder_is_a_volume_owned_by_the_bot() -> None:
    env = " ".join(arguments_of("ENV"))
    assert "DATA_DIR=/app/data" in env
    assert "PYTHONUNBUFFERED=1" in env  # log lines reach `docker logs` as they happen
    assert json.loads(arguments_of("VOLUME")[0]) == ["/app/data"]
    uid = arguments_of("USER")[0].split(":")[0]
    setup = " ".join(arguments_of("RUN"))
    assert "mkdir -p /app/data" in setup
    assert re.search(r"chown (bot|10001):(bot|10001) /app/data", setup)
    assert uid == "10001"
    assert arguments_of("WORKDIR") == ["/app"]


def test_python_is_pid_1_and_stops_on_sigterm() -> None:
    [command] = arguments_of("CMD")
    assert json.loads(command) == ["python", "-m", "bot"]  # exec form: no shell eats SIGTERM
    assert arguments_of("STOPSIGNAL") == ["SIGTERM"]
    assert arguments_of("EXPOSE") == [str(Settings.model_fields["port"].default)]
    # A HEALTHCHECK on the webhook port would fail in polling mode, the default.
    assert arguments_of("HEALTHCHECK") == []


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go's filepath.Match, plus `**` for any folders) as a regex."""
    text = pattern.strip("/")
    out = ""
    while text:
        if text.startswith("**/"):
            out, text = out + "(?:.*/)?", text[3:]
        elif text.startswith("**"):
            out, text = out + ".*", text[2:]
        elif text[0] == "*":
            out, text = out + "[^/]*", text[1:]
        elif text[0] == "?":
            out, text = out + "[^/]", text[1:]
        else:
            out, text = out + re.escape(text[0]), text[1:]
    return re.compile(out)


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its folders wins; a
    pattern starting with `!` takes the path back in."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for pattern in patterns:
        regex = pattern_regex(pattern.removeprefix("!"))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            result = not pattern.startswith("!")
    return result


def dockerignore() -> list[str]:
    return [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]


def test_no_secret_data_or_environment_goes_into_the_image() -> None:
    patterns = dockerignore()
    for path in (
        ".env",
        ".env.production",
        "data/bot.db",
        "data/encryption.key",
        ".venv/bin/python",
        ".venv-ci/bin/python",
        ".git/config",
        "tests/test_deploy.py",
        "bot/__pycache__/app.cpython-311.pyc",
    ):
        assert ignored(path, patterns), path
    for path in ("bot/__main__.py", "handlers/start.py", "storage/db.py", "requirements.txt"):
        assert not ignored(path, patterns), path
    for copy in arguments_of("COPY"):
        sources = copy.split()[:-1]
        assert not any(source.startswith(".env") for source in sources), copy


def image_files(destination: Path) -> int:
    """Copy what `COPY . .` puts into the image (the .dockerignore applied); returns the count."""
    patterns = dockerignore()
    copied = 0
    for folder, subfolders, files in os.walk(ROOT):
        here = Path(folder).relative_to(ROOT)
        # An ignored folder is not walked (.git, the virtual environments).
        subfolders[:] = [name for name in subfolders if not ignored(f"{here / name}", patterns)]
        for name in files:
            relative = (here / name).as_posix()
            if not ignored(relative, patterns):
                target = destination / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(ROOT / relative, target)
                copied += 1
    return copied


def test_the_files_the_image_holds_run_the_bot(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel
) -> None:
    """Without Docker: the image's files alone (no tests/, no .env, no data/) start the bot
    against the stand-ins, as the container's CMD does, and it answers /start."""
    app = tmp_path / "app"
    assert image_files(app) > 50
    assert not (app / "tests").exists()
    with bot_process(
        app,
        tmp_path / "bot.log",
        PYTHONPATH=str(app),
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=telegram.base_url,
        SMM_API_URL=panel.url,
        DATA_DIR=str(tmp_path / "data"),
    ) as bot:
        mark = say(telegram, "/start")
        bot.wait_for(telegram, reply(telegram, USER, "Hi, User1001", mark), "the greeting")
        assert bot.stop() == 0, bot.log()


# --- compose.yaml -------------------------------------------------------------------------------


def compose_blocks() -> dict[str, str]:
    """compose.yaml's top-level `services:` entries, each as its indented text (a text reading:
    PyYAML is not a dependency, and the file is written in plain block style)."""
    text = (ROOT / "compose.yaml").read_text()
    assert re.search(r"^services:\n", text, re.M)
    services = text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    blocks: dict[str, str] = {}
    for chunk in re.split(r"^  (?=[a-z])", services, flags=re.M):
        name, _, body = chunk.partition(":\n")
        if body:
            blocks[name.strip()] = "\n".join(
                line for line in body.splitlines() if not line.strip().startswith("#")
            )
    return blocks


def test_compose_runs_the_bot_beside_postgresql() -> None:
    blocks = compose_blocks()
    assert set(blocks) == {"bot", "db"}
    bot, db = blocks["bot"], blocks["db"]
    assert re.search(r"^    build: \.$", bot, re.M)
    assert re.search(r"^    env_file: \.env$", bot, re.M)
    assert re.search(r"^    restart: unless-stopped$", bot, re.M)
    url = re.search(r'DATABASE_URL: "(postgresql\+psycopg://[^"]+)"', bot)
    assert url is not None
    assert re.fullmatch(
        r"postgresql\+psycopg://bot:\$\{POSTGRES_PASSWORD:\?[^}]+\}@db:5432/bot", url[1]
    ), url[1]
    assert re.search(r"^      - bot-data:/app/data$", bot, re.M)
    assert re.search(r"depends_on:\n\s+db:\n\s+condition: service_healthy", bot)
    assert re.search(r"^    image: postgres:16$", db, re.M)
    assert "pg_isready" in db
    assert 'POSTGRES_PASSWORD: "${POSTGRES_PASSWORD:?' in db
    assert re.search(r"^      - db-data:/var/lib/postgresql/data$", db, re.M)
    volumes = (ROOT / "compose.yaml").read_text().split("\nvolumes:\n", 1)[1]
    assert re.findall(r"^  ([\w-]+):", volumes, re.M) == ["bot-data", "db-data"]


# --- the systemd unit ---------------------------------------------------------------------------


def test_the_systemd_unit_runs_python_m_bot_hardened() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    unit.read(ROOT / "deploy" / "smm-bot.service")
    service = unit["Service"]
    command = shlex.split(service["ExecStart"])
    assert command[0].endswith("/.venv/bin/python")
    assert command[1:] == ["-m", "bot"]
    assert command[0].startswith(service["WorkingDirectory"])
    assert service["User"] not in {"", "root"}
    assert service["EnvironmentFile"].lstrip("-").startswith(service["WorkingDirectory"])
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # a configuration error: no restart loop
    assert service["KillSignal"] == "SIGTERM"
    assert 10 <= int(service["TimeoutStopSec"]) <= 90
    assert service["NoNewPrivileges"] == "true"
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == f"{service['WorkingDirectory']}/data"
    assert service["PrivateTmp"] == "true"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


# --- the README's commands ----------------------------------------------------------------------


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, re.S)


def test_the_readme_test_command_is_what_ci_runs() -> None:
    """CI makes its own fresh environment, then installs and tests exactly as the README says."""
    ci_steps = {
        " ".join(word for word in line.split() if word != "--quiet").removeprefix("python -m ")
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
    }
    [test_command] = [block.strip() for block in shell_blocks() if "pytest" in block]
    steps = test_command.split(" && ")
    assert steps[0].startswith("python3 -m venv")
    assert "pip install -r requirements-dev.txt" in steps
    assert "python -m pytest -q" in steps
    for step in steps[2:]:
        assert step.removeprefix("python -m ") in ci_steps, step


def test_the_readme_run_commands_name_what_exists() -> None:
    blocks = shell_blocks()
    assert any(block.strip() == ".venv/bin/python -m bot" for block in blocks)  # start again
    upgrade = next(block for block in blocks if block.startswith("git pull"))
    assert ".venv/bin/pip install -r requirements.txt" in upgrade
    for block in blocks:
        for name in re.findall(r"-r ([\w.-]+\.txt)", block):
            assert (ROOT / name).is_file(), name
        for name in re.findall(
            r"\b(deploy/[\w.-]+|compose\.yaml|Dockerfile|\.env\.example)", block
        ):
            assert (ROOT / name).is_file(), name
    for name in re.findall(r"`((?:deploy/[\w.-]+)|compose\.yaml|Dockerfile|Procfile)`", README):
        assert (ROOT / name).is_file(), name
    assert "worker: python -m bot" in (ROOT / "Procfile").read_text()
    assert (ROOT / "bot" / "__main__.py").is_file()


# --- the image, where Docker is available -------------------------------------------------------


def docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "info"], capture_output=True, timeout=30, check=False)
    return probe.returncode == 0


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    if not docker_answers():
        pytest.skip("no Docker daemon answers `docker info`: the Dockerfile is linted above")
    tag = f"smm-bot-test:{uuid.uuid4().hex[:12]}"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True, timeout=1200)
    try:
        yield tag
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, check=False)


def test_the_image_starts_python_m_bot_and_names_the_missing_token(image: str) -> None:
    result = subprocess.run(
        ["docker", "run", "--rm", image],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()  # one line, no traceback
    assert line.startswith("error: BOT_TOKEN")
    assert "not set" in line


def test_the_image_runs_as_its_own_user(image: str) -> None:
    result = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "id", image, "-u"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == "10001"
