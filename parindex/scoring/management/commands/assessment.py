"""`parindex assessment score --tree TREE --inputs INPUTS.json [--json]`.

Scores a tree without a database (when TREE is a file) and prints every node's points. The
JSON output is a contract scripts depend on; docs/scoring.md describes it. Bad inputs end with
exit code 2 and a message naming the leaf or key, never a traceback.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from parindex.methodology.tree import FrameworkSpec
from parindex.scoring.engine import (
    CompiledTree,
    Result,
    TreeError,
    compile_tree,
    display,
    parse_inputs,
    points_text,
    score,
)

BAD_INPUT = 2  # exit code for unusable arguments, tree or inputs
MAX_INPUT_BYTES = 10 * 1024 * 1024


class Command(BaseCommand):
    help = "Score criteria trees."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{score}")
        sc = sub.add_parser(
            "score",
            help="Score a tree from the inputs of its leaves; a tree file needs no database.",
        )
        sc.add_argument(
            "--tree",
            required=True,
            help="A tree file (YAML, XLSX, DOCX or table text) or the code of a stored tree "
            "(its latest valid version).",
        )
        sc.add_argument(
            "--inputs",
            required=True,
            help="JSON object: leaf code → number, {numerator, denominator}, a band's label, "
            "{points} or null; - for standard input.",
        )
        sc.add_argument("--province", help="Province code, when several stored trees share TREE.")
        sc.add_argument("--json", action="store_true", help="Print the scores as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["subcommand"])(options)

    def _fail(self, message: str) -> CommandError:
        return CommandError(message, returncode=BAD_INPUT)

    # --- score -------------------------------------------------------------------------------

    def _score(self, options: dict[str, Any]) -> None:
        tree = self._tree(options["tree"], options["province"])
        raw = self._inputs(options["inputs"])
        inputs, problems = parse_inputs(tree, raw)
        result = score(tree, inputs)
        problems += result.problems
        if problems:
            # In the tree's reading order; codes the tree does not have come last.
            order = {code: i for i, code in enumerate(tree.codes)}
            problems.sort(key=lambda p: order.get(p.code, len(order)))
            for p in problems:
                self.stderr.write(f"error: {p.message}")
            raise self._fail(f"{options['inputs']}: {len(problems)} unusable input(s)")
        if options["json"]:
            self.stdout.write(json.dumps(as_json(result), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(as_table(tree, result))

    def _tree(self, ref: str, province: str | None) -> CompiledTree:
        path = Path(ref)
        if path.is_file():
            spec = self._read_tree_file(path)
        elif path.suffix or "/" in ref or "\\" in ref:
            raise self._fail(f"{ref}: no such file")
        else:
            spec = self._stored_tree(ref, province)
        try:
            return compile_tree(spec)
        except TreeError as error:
            for message in error.messages:
                self.stderr.write(f"error: {message}")
            raise self._fail(f"{ref}: the tree is malformed and cannot be scored") from None

    def _read_tree_file(self, path: Path) -> FrameworkSpec:
        from parindex.methodology.importing import read_tree
        from parindex.methodology.messages import describe

        result = read_tree(path.read_bytes(), path.name)
        if not result.ok or result.spec is None:
            for p in result.errors:
                self.stderr.write(f"error: {describe(p)}")
            raise self._fail(f"{path}: the tree cannot be read")
        for p in result.gaps:
            self.stderr.write(f"warning: {describe(p)}")
        return result.spec

    def _stored_tree(self, code: str, province: str | None) -> FrameworkSpec:
        from parindex.methodology import store
        from parindex.methodology.models import Framework, FrameworkStatus

        try:
            found = Framework.objects.filter(code=code, status=FrameworkStatus.VALID)
            if province:
                found = found.filter(province__code=province)
            candidates = list(found.select_related("province").order_by("-version"))
            owners = sorted({f.province.code if f.province else "national" for f in candidates})
            if len(owners) > 1:
                raise self._fail(
                    f"several stored trees have the code {code} ({', '.join(owners)}); "
                    "choose one with --province"
                )
            if not candidates:
                raise self._fail(f"{code}: no such file, and no valid stored tree has this code")
            return store.spec_from_framework(candidates[0])
        except DatabaseError as error:
            raise self._fail(
                f"{code}: no such file, and the database cannot be read ({error})"
            ) from None

    def _inputs(self, ref: str) -> dict[str, object]:
        if ref == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            path = Path(ref)
            if not path.is_file():
                raise self._fail(f"{ref}: no such file")
            if path.stat().st_size > MAX_INPUT_BYTES:
                raise self._fail(f"{ref}: larger than {MAX_INPUT_BYTES // 1024 // 1024} MB")
            data = path.read_bytes()
        if len(data) > MAX_INPUT_BYTES:
            raise self._fail(f"{ref}: larger than {MAX_INPUT_BYTES // 1024 // 1024} MB")
        try:
            raw = json.loads(
                data.decode("utf-8-sig"),
                parse_float=Decimal,
                parse_int=Decimal,
                parse_constant=_refuse_constant,
                object_pairs_hook=_no_duplicates,
            )
        except UnicodeDecodeError:
            raise self._fail(f"{ref}: not UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise self._fail(
                f"{ref}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
            ) from None
        except ValueError as error:
            raise self._fail(f"{ref}: {error}") from None
        except RecursionError:
            raise self._fail(f"{ref}: nested too deeply") from None
        if not isinstance(raw, dict):
            raise self._fail(f"{ref}: expected a JSON object mapping leaf codes to inputs")
        return raw


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number; give a finite value")


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key} appears more than once")
        result[key] = value
    return result


def as_json(result: Result) -> dict[str, object]:
    """The contract: {"total", "nodes": {code: {"points", "max"[, "band"]}}, "missing"}."""
    nodes: dict[str, dict[str, str]] = {}
    for code, node in result.nodes.items():
        entry = {"points": points_text(node), "max": _plain(node.max)}
        if node.band is not None:
            entry["band"] = node.band.label
        nodes[code] = entry
    return {"total": display(result.total), "nodes": nodes, "missing": list(result.missing)}


def _plain(value: Decimal) -> str:
    from parindex.methodology.validation import plain

    return plain(value)


def as_table(tree: CompiledTree, result: Result) -> str:
    names = {n.code: n.name for n in tree.spec.nodes}
    rows = [("code", "criterion", "points", "max", "how")]
    for code, node in result.nodes.items():
        name = names.get(code, "")
        name = name if len(name) <= 48 else name[:47] + "…"
        how = node.trace if node.is_leaf else ""
        if node.band is not None and node.band.label not in how:
            how = f"{how} → {node.band.label}"
        rows.append((code, name, points_text(node), _plain(node.max), how))
    rows.append(("", "total", display(result.total), _plain(result.max), ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]:>{widths[3]}}  "
        f"{r[4]}".rstrip()
        for r in rows
    ]
    if result.missing:
        lines.append(f"missing: {', '.join(result.missing)}")
    return "\n".join(lines)
