"""The house rules that a reader can check by looking at the code, checked here by
reading it: no module over 500 lines (migrations and tests excepted), no `_private`
name taken from another module, no import cycle between the project's modules, and
ruff clean, and every admin page beyond Django's own declared in an `admin_urls`
module, where a reader finds it as in a urls.py. Each failure names what breaks
the rule."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 500
# The project's packages; any other top-level package found later is read too.
PACKAGES = ("surveys", "indicators", "results", "logins", "config", "bench")
SKIPPED_DIRECTORIES = {"migrations", "tests", ".venv", "node_modules", "__pycache__"}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"

    @property
    def where(self) -> str:
        return str(self.path.relative_to(ROOT))


def _package_directories() -> list[Path]:
    found = {ROOT / name for name in PACKAGES}
    for child in ROOT.iterdir():
        if (
            child.is_dir()
            and child.name not in SKIPPED_DIRECTORIES
            and not child.name.startswith(".")
            and (child / "__init__.py").exists()
        ):
            found.add(child)
    return sorted(path for path in found if path.is_dir())


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def project_modules() -> dict[str, Module]:
    modules = {}
    for directory in _package_directories():
        for path in sorted(directory.rglob("*.py")):
            relative = path.relative_to(ROOT).parts
            if SKIPPED_DIRECTORIES & set(relative[:-1]):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            name = _module_name(path)
            modules[name] = Module(name=name, path=path, tree=tree)
    return modules


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    """The module an import-from names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = module.name.split(".")
    if not module.is_package:
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def _imports(tree: ast.AST):
    """Every import statement, at module level or inside functions, except those
    under `if TYPE_CHECKING:`, which never run."""
    for node in ast.iter_child_nodes(tree):
        if _type_checking_only(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _imports(node)


@dataclass(frozen=True)
class Edge:
    target: str
    line: int


def _edges(module: Module) -> list[Edge]:
    """The project modules this module imports (a name imported from a package
    that is itself a module counts as that module)."""
    modules = project_modules()
    edges = []
    for node in _imports(module.tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            source = _absolute(module, node)
            targets = [
                f"{source}.{alias.name}"
                if f"{source}.{alias.name}" in modules
                else source
                for alias in node.names
            ]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != module.name:
                edges.append(Edge(target, node.lineno))
    return edges


def test_no_module_is_over_500_lines():
    long = []
    for module in project_modules().values():
        lines = len(module.path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            long.append(f"{module.where}: {lines} lines")
    assert not long, f"Modules over {MAX_LINES} lines:\n  " + "\n  ".join(long)


def _private_uses(module: Module) -> list[str]:
    """`from x import _name`, and `x._name` where x is another project module."""
    modules = project_modules()
    found = []
    bound: dict[str, str] = {}  # local name -> project module it is bound to
    for node in _imports(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    bound[alias.asname or alias.name] = alias.name
            continue
        source = _absolute(module, node)
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            if submodule in modules:
                bound[alias.asname or alias.name] = submodule
                # A private module of the importer's own package is its own.
                if _is_private(alias.name) and not module.name.startswith(f"{source}."):
                    found.append(f"{module.where}:{node.lineno} imports {submodule}")
            elif (
                _is_private(alias.name) and source in modules and source != module.name
            ):
                found.append(
                    f"{module.where}:{node.lineno} imports {alias.name} from {source}"
                )
    for node in ast.walk(module.tree):
        if (
            isinstance(node, ast.Attribute)
            and _is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
            and bound[node.value.id] != module.name
        ):
            found.append(
                f"{module.where}:{node.lineno} uses {bound[node.value.id]}.{node.attr}"
            )
    return found


def test_no_private_name_is_imported_from_another_module():
    found = [use for m in project_modules().values() for use in _private_uses(m)]
    assert not found, "Private names used outside their module:\n  " + "\n  ".join(
        found
    )


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or not (Tarjan's
    strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(graph) + 100))
    try:
        for node in sorted(graph):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)
    return sorted(groups)


def _path_around(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """The shortest cycle from the group's first module back to itself."""
    members = set(group)
    start = group[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & members):
            if target == start:
                return [*paths[node], start]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    return group


def test_no_import_cycle():
    modules = project_modules()
    graph = {name: {e.target for e in _edges(m)} for name, m in modules.items()}
    found = [
        " -> ".join(_path_around(graph, group))
        + (f" (the cycle joins {', '.join(group)})" if len(group) > 2 else "")
        for group in _cycles(graph)
    ]
    assert not found, "Import cycles (imports inside functions included):\n  " + (
        "\n  ".join(found)
    )


def _paths_declared_in_get_urls(module: Module) -> list[str]:
    found = []
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for method in node.body:
            if isinstance(method, ast.FunctionDef) and method.name == "get_urls":
                calls = [
                    call
                    for call in ast.walk(method)
                    if isinstance(call, ast.Call)
                    and getattr(call.func, "id", getattr(call.func, "attr", None))
                    in {"path", "re_path"}
                ]
                if calls:
                    found.append(
                        f"{module.where}:{method.lineno} {node.name}.get_urls"
                        f" declares {len(calls)} path(s)"
                    )
    return found


def test_admin_pages_are_declared_in_admin_urls_modules():
    found = [
        declared
        for module in project_modules().values()
        for declared in _paths_declared_in_get_urls(module)
    ]
    assert not found, (
        "Admin pages declared only inside a ModelAdmin (move them to the app's"
        " admin_urls.py):\n  " + "\n  ".join(found)
    )


def _ruff() -> str | None:
    beside = Path(sys.executable).with_name("ruff")
    return str(beside) if beside.exists() else shutil.which("ruff")


@pytest.mark.parametrize(
    "arguments", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"]
)
def test_ruff_finds_nothing(arguments):
    ruff = _ruff()
    if ruff is None:
        pytest.skip("ruff is not installed")
    done = subprocess.run(
        [ruff, *arguments], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


# A line that opens or closes a conflict git left in a file.
CONFLICT_MARKERS = ("<<<<<<< ", ">>>>>>> ")
BINARY_SUFFIXES = {
    ".mo",
    ".png",
    ".jpg",
    ".ico",
    ".pdf",
    ".xlsx",
    ".docx",
    ".woff2",
    ".ttf",
}


def _tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    paths = [ROOT / name for name in listed.stdout.decode().split("\0") if name]
    return [p for p in paths if p.suffix not in BINARY_SUFFIXES and p.is_file()]


def test_no_file_keeps_a_merge_conflict_marker():
    found = []
    for path in _tracked_text_files():
        try:
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(lines, 1):
            if line.startswith(CONFLICT_MARKERS):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert not found, "Merge conflict markers left in:\n    " + "\n    ".join(found)
