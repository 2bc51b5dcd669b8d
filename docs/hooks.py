"""mkdocs hooks: one API page per module, and ARCHITECTURE.md on the home page.

The pages are generated at build time from the files under ``src/mtr_analysis``, so a new
module appears in the reference without anyone editing ``mkdocs.yml``. The navigation
follows the pipeline, in the order of the stage layers of the import contract in
``pyproject.toml`` (lowest first). ``ARCHITECTURE.md`` (at the project root) is included in
``docs/index.md`` where the marker ``<!-- ARCHITECTURE -->`` stands; its links to files of
the package become links to their API pages.
"""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.mtr_analysis")

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "mtr_analysis"
PACKAGE_DIR = ROOT / "src" / PACKAGE
API_DIR = "api"
ARCHITECTURE = ROOT / "ARCHITECTURE.md"
MARKER = "<!-- ARCHITECTURE -->"
MARKDOWN_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")


def module_names(package_dir: Path = PACKAGE_DIR) -> list[str]:
    """Dotted names of every module and package under ``package_dir``, sorted."""
    names = []
    for path in package_dir.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(names)


def page_uri(module: str) -> str:
    """The docs path of a module's API page."""
    return f"{API_DIR}/{module}.md"


def page_markdown(module: str) -> str:
    """A page that renders ``module``'s docstrings with mkdocstrings."""
    return f"# `{module}`\n\n::: {module}\n"


def stage_order(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """Top-level children of the package in pipeline order: the stages contract, reversed."""
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c.get("id") == "stages")
    order: list[str] = []
    for layer in reversed(layers):
        order.extend(part.strip(" ()") for part in re.split(r"[|:]", layer))
    return order


def navigation(modules: list[str], order: list[str]) -> list[dict]:
    """Home, then one section per stage (in ``order``) listing its modules' pages."""
    by_stage: dict[str, list[str]] = {}
    for module in modules:
        stage = module.split(".")[1] if "." in module else ""
        by_stage.setdefault(stage, []).append(module)
    rank = {stage: i for i, stage in enumerate(["", *order])}
    api: list[dict] = []
    for stage in sorted(by_stage, key=lambda s: (rank.get(s, len(rank)), s)):
        pages = [{name: page_uri(name)} for name in by_stage[stage]]
        api.extend(pages if len(pages) == 1 else [{stage: pages}])
    return [{"Home": "index.md"}, {"API reference": api}]


def _link_target(target: str, text: str) -> str | None:
    """Where a link of ARCHITECTURE.md should lead in the site (``None``: plain text)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
        return target  # a web address or an anchor on the page
    path = target.split("#")[0].removeprefix("./").rstrip("/")
    if path.startswith(f"src/{PACKAGE}") and (ROOT / path).exists():
        dotted = Path(path).relative_to("src").with_suffix("").as_posix().replace("/", ".")
        return page_uri(dotted.removesuffix(".__init__"))
    return None  # a file of the repository that the site does not publish


def _relink(match: re.Match) -> str:
    bang, text, target = match.groups()
    new = _link_target(target, text)
    if new is not None:
        return f"{bang}[{text}]({new})"
    return text if text.strip("`") == target.strip("`") or not text else f"{text} (`{target}`)"


def include_architecture(markdown: str, architecture: str) -> str:
    """``markdown`` with the marker replaced by ``architecture``, headings one level down.

    The home page keeps its own title, so ARCHITECTURE.md's headings are demoted by one level
    (outside code blocks); links to package files lead to their API pages, links to other
    files of the repository become plain text naming the file.
    """
    lines, fenced = [], False
    for line in architecture.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced:
            line = MARKDOWN_LINK.sub(_relink, line)
            if re.match(r"#{1,5} ", line):
                line = "#" + line
        lines.append(line)
    return markdown.replace(MARKER, "\n".join(lines) + "\n")


# --- mkdocs events ----------------------------------------------------------------------


def on_config(config, **kwargs):
    config["nav"] = navigation(module_names(), stage_order())
    return config


def on_files(files: Files, config, **kwargs) -> Files:
    for module in module_names():
        files.append(File.generated(config, page_uri(module), content=page_markdown(module)))
    return files


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    if MARKER not in markdown:
        return markdown
    if not ARCHITECTURE.exists():
        log.info("ARCHITECTURE.md is not written yet: the home page goes without it")
        return markdown.replace(MARKER, "")
    return include_architecture(markdown, ARCHITECTURE.read_text(encoding="utf-8"))
