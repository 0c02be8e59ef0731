"""Build the spaCy entity pipeline Rasa's SpacyNLP loads (config.yml: ``model: var/spacy/lift_catalog``).

A blank English pipeline with one ``entity_ruler`` whose patterns come from the catalog:
``product`` for product names, synonyms and skus (pattern id = the sku, so ``ent.ent_id_``
names the product), ``category`` for category ids, names and synonyms with singular/plural
forms. No pretrained model is involved, so nothing is downloaded.

    python scripts/build_spacy_pipeline.py [--catalog kb/catalog.json] [--out var/spacy/lift_catalog]
    python scripts/build_spacy_pipeline.py --check   # exit 0 if up to date, 1 if a rebuild is needed

The output directory holds a ``catalog_version`` file (the catalog's version, i.e. the first
12 hex digits of its sha256) that ``--check`` compares without importing spaCy.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from importlib import metadata
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lift.commerce.words import plural_forms  # noqa: E402

DEFAULT_OUT = ROOT / "var" / "spacy" / "lift_catalog"
VERSION_FILE = "catalog_version"
# Bump when the pattern rules below change, so --check asks for a rebuild.
BUILDER_VERSION = 2  # 2: plural forms from lift.commerce.words (no 'len'/'lense' junk)


def default_catalog() -> Path:
    from lift.config import get_settings

    return get_settings().catalog_path


def file_version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def build_patterns(catalog, tokenize) -> List[Dict]:
    """EntityRuler token patterns (LOWER, so matching ignores case) for ``catalog``.

    ``tokenize`` is the pipeline's own tokenizer so a pattern splits exactly like the
    shopper's text will ("usb-c", "18-55mm", "chef's").
    """
    patterns: List[Dict] = []
    seen: Dict[Tuple[str, ...], str] = {}

    def add(label: str, phrase: str, ent_id: str) -> None:
        # Case changes tokenisation ("4K" -> "4", "K" but "4k" stays whole), so one pattern
        # per distinct split of the common spellings.
        for variant in (phrase, phrase.lower(), phrase.upper(), phrase.title()):
            tokens = tuple(t.lower_ for t in tokenize(variant) if not t.is_space)
            if not tokens or tokens in seen:
                # A product alias that is also a category word stays a product: it is more specific.
                continue
            seen[tokens] = label
            patterns.append({"label": label, "pattern": [{"LOWER": t} for t in tokens], "id": ent_id})

    # Literal names and synonyms first, so another product's plural form never claims them.
    for product in catalog.products:
        for alias in (product.sku, product.sku.replace("-", ""), product.name, *product.synonyms):
            add("product", alias, product.sku)
    for product in catalog.products:
        for alias in (product.name, *product.synonyms):
            for form in plural_forms(alias.lower()):
                add("product", form, product.sku)
    for category in catalog.categories:
        phrases = {category.id, category.id.replace("_", " "), category.name, *category.synonyms}
        if "&" in category.name:
            phrases.add(category.name.replace("&", "and"))
        for phrase in sorted(phrases):
            for form in plural_forms(phrase.lower()):
                add("category", form, category.id)
    return patterns


def build(catalog_path: Path, out: Path) -> Tuple[int, str]:
    import spacy

    from lift.commerce.catalog import Catalog

    catalog = Catalog.load(catalog_path)
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"validate": True})
    patterns = build_patterns(catalog, nlp.make_doc)
    ruler.add_patterns(patterns)
    nlp.meta["name"] = "lift_catalog"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Lift catalog entity rules (product, category) generated from kb/catalog.json"
    nlp.meta["lift"] = {"catalog_version": catalog.version, "builder_version": BUILDER_VERSION,
                        "patterns": len(patterns)}

    # Build beside the target and swap it in, so a running Rasa never sees a half-written model.
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    old = out.with_name(f".{out.name}.old")
    for leftover in (tmp, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    nlp.to_disk(tmp)
    (tmp / VERSION_FILE).write_text(catalog.version + "\n", encoding="utf-8")
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    if old.exists():
        shutil.rmtree(old)
    return len(patterns), catalog.version


def check(catalog_path: Path, out: Path) -> Tuple[bool, str]:
    """(up to date?, reason) without importing spaCy: the Makefile calls this on every run."""
    version_file = out / VERSION_FILE
    meta_file = out / "meta.json"
    if not version_file.is_file() or not meta_file.is_file():
        return False, f"no pipeline at {out}"
    try:
        current = file_version(catalog_path)
    except OSError as exc:
        return False, f"cannot read catalog {catalog_path}: {exc.strerror or exc}"
    built = version_file.read_text(encoding="utf-8").strip()
    if built != current:
        return False, f"catalog changed (pipeline {built}, catalog {current})"
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False, f"unreadable {meta_file}"
    if meta.get("lift", {}).get("builder_version") != BUILDER_VERSION:
        return False, "pattern rules changed"
    try:
        installed = metadata.version("spacy")
    except metadata.PackageNotFoundError:
        return False, "spaCy is not installed"
    built_with = str(meta.get("spacy_version", ""))
    # spaCy writes e.g. ">=3.4.4,<3.5.0"; the minor version is what SpacyNLP checks.
    if installed.rsplit(".", 1)[0] not in built_with:
        return False, f"built with spaCy {built_with}, installed {installed}"
    return True, f"up to date (catalog {current})"


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description="Build the catalog entity-ruler spaCy pipeline for Rasa.")
    ap.add_argument("--catalog", type=Path, default=None, help="catalog JSON (default: LIFT_KB_DIR/catalog.json)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT})")
    ap.add_argument("--check", action="store_true", help="exit 0 if the pipeline matches the catalog, 1 if not")
    args = ap.parse_args(argv)
    catalog_path = args.catalog or default_catalog()

    if args.check:
        ok, reason = check(catalog_path, args.out)
        print(f"spaCy pipeline {args.out}: {reason}")
        return 0 if ok else 1

    from lift.commerce.catalog import CatalogError

    try:
        count, version = build(catalog_path, args.out)
    except CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"built {args.out} from {catalog_path} (catalog {version}, {count} patterns)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
