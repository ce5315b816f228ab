"""The house's layout rules, checked on the source: flows do not import each other, and no
bare button prefix is written outside the codec's register."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = {"handlers.common", "handlers.waiting"}  # helpers every flow may use


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _flow_of(module: str) -> str:
    """handlers.order.browse -> handlers.order; handlers.orders -> handlers.orders."""
    return ".".join(module.split(".")[:2])


def test_no_handler_module_imports_another_flow() -> None:
    handlers = ROOT / "handlers"
    offenders = []
    for path in sorted(handlers.rglob("*.py")):
        if path == handlers / "__init__.py":
            continue  # the one registration point imports every flow
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        flows = {
            _flow_of(name)
            for name in _imports(path)
            if name.startswith("handlers.") or name == "handlers"
        }
        flows = {
            flow
            for flow in flows
            if flow not in SHARED and flow != _flow_of(module) and flow != "handlers"
        }
        if flows:
            offenders.append((module, sorted(flows)))
    assert offenders == []


def test_button_data_is_built_only_through_the_register() -> None:
    """`callback.build("c", …)` or `callback.pattern("m", …)` outside bot/callback.py would
    bypass the register (and the stale-button fallback derived from it)."""
    bare = re.compile(r"callback\.(build|pattern)\(\s*[\"']")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "handlers")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "callback.py" and bare.search(path.read_text())
    ]
    assert offenders == []
