"""The shape of the code a newcomer relies on: data flows one way (load -> validate -> model ->
render/diff -> write), the command line sits on top, and no module reaches back up."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "opgen"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every opgen module and the opgen modules it imports (at top level or inside functions)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("opgen") and not node.level:
                for alias in node.names:  # `from opgen.cli import build` imports the module opgen.cli.build
                    candidate = f"{node.module}.{alias.name}"
                    found.add(candidate if candidate in modules else node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("opgen"))
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_only_the_command_line_imports_the_command_line():
    graph = _imports()
    offenders = {m: sorted(i for i in deps if i == "opgen.cli" or i.startswith("opgen.cli."))
                 for m, deps in graph.items()
                 if not (m == "opgen.cli" or m.startswith("opgen.cli.") or m == "opgen.__main__")}
    assert {m: d for m, d in offenders.items() if d} == {}


def test_no_import_cycle_between_modules():
    graph = _imports()
    # a package importing its own submodules to re-export them is not a cycle of logic
    edges = {m: {d for d in deps if not d.startswith(m + ".")} for m, deps in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []
