"""The house: stages in folders along the flow, arrows one way, extract free of the tools."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "pipeline"
# the runtime path, in the order data flows; a stage may import only itself and earlier stages
RUNTIME_STAGES = ["read", "entities", "structure", "measures", "parse", "tables"]
# off the runtime path, each may import the runtime path and the tools before it
TOOL_FOLDERS = ["annotation", "scoring", "training", "evaluation", "report"]
SHARED = {"errors", "types", "spans", "resources", "fsutil"}
MAX_LINES = 400


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ".".join(path.relative_to(REPO).with_suffix("").parts)


def imported(path: Path) -> set[str]:
    """Every ``pipeline.X`` module this file imports, at any depth."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("pipeline"))
    return out


def folder_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_arrows_run_down_the_flow():
    order = RUNTIME_STAGES + TOOL_FOLDERS
    wrong = []
    for path, module in modules():
        here = folder_of(module)
        if here not in order:
            continue
        for target in imported(path):
            there = folder_of(target)
            if there in SHARED or there not in order or there == here:
                continue
            if here in RUNTIME_STAGES and there in TOOL_FOLDERS:
                wrong.append(f"{module} -> {target} (the runtime path imports a tool)")
            elif order.index(there) > order.index(here):
                wrong.append(f"{module} -> {target} (against the flow)")
    assert wrong == []


def test_shared_modules_import_no_stage():
    for name in SHARED:
        targets = {folder_of(t) for t in imported(PACKAGE / f"{name}.py")}
        assert not targets & set(RUNTIME_STAGES + TOOL_FOLDERS), name


def test_no_module_is_overlong():
    long = {module: n for path, module in modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_no_import_cycles_at_module_level():
    graph = {}
    for path, module in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        deps = set()
        for node in tree.body:  # module level only: imports inside functions are lazy on purpose
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline"):
                deps.add(node.module)
                deps.update(f"{node.module}.{a.name}" for a in node.names)
        graph[module.removesuffix(".__init__")] = deps
    known = set(graph)
    graph = {m: {d for d in deps if d in known and d != m} for m, deps in graph.items()}
    state, cycles = {}, []

    def visit(m, trail):
        state[m] = "open"
        for d in graph[m]:
            if state.get(d) == "open":
                cycles.append(trail[trail.index(d):] + [d] if d in trail else [m, d])
            elif d not in state:
                visit(d, trail + [d])
        state[m] = "done"

    for m in graph:
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_data_file_names_are_unique_across_stages():
    from pipeline.resources import DATA_KINDS, data_files
    for kind in DATA_KINDS:
        names = [p.name for p in data_files(kind)]
        assert len(names) == len(set(names)), kind
        assert names, kind


def test_extract_imports_no_training_annotation_or_evaluation(tmp_path):
    """Run a real extract in a fresh interpreter, then look at what it imported."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "n.txt").write_text(
        "关于巡察整改进展情况的通报\n根据县委统一部署，2024年3月1日至4月30日，县委第一巡察组对县财政局开展了巡察。\n"
        "1.制度不健全。整改情况：修订《财务管理办法》，追缴资金3万元，问责2人。整改结果：已完成。\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from pipeline.tables.run import extract_folder\n"
        f"extract_folder({str(tmp_path / 'in')!r}, {str(tmp_path / 'out')!r})\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[:2][-1] in "
        f"{TOOL_FOLDERS!r} and m.startswith('pipeline.'))\n"
        "bad += sorted(m for m in ('sklearn', 'skops') if m in sys.modules)  # the classifier runs from its arrays\n"
        "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == ""
    assert (tmp_path / "out" / "measures.parquet").exists()


@pytest.mark.parametrize("folder", RUNTIME_STAGES + TOOL_FOLDERS)
def test_every_folder_says_what_it_is(folder):
    init = PACKAGE / folder / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert doc and len(doc) > 20
