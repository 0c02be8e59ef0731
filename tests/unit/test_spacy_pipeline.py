"""The catalog entity-ruler pipeline: built into tmp_path from a copy of the real catalog."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_spacy_pipeline.py"
CATALOG = ROOT / "kb" / "catalog.json"


def _load_script():
    spec = importlib.util.spec_from_file_location("build_spacy_pipeline", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = _load_script()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("spacy")
    catalog = base / "catalog.json"
    shutil.copy(CATALOG, catalog)
    out = base / "lift_catalog"
    assert builder.main(["--catalog", str(catalog), "--out", str(out)]) == 0
    return catalog, out


@pytest.fixture(scope="module")
def nlp(built):
    import spacy

    # Exactly how Rasa's SpacyNLP loads it.
    return spacy.load(str(built[1]), disable=["parser"])


def ents(nlp, text):
    return [(e.text, e.label_, e.ent_id_) for e in nlp(text).ents]


def test_pipeline_is_blank_english_with_entity_ruler(built, nlp):
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["entity_ruler"]
    meta = json.loads((built[1] / "meta.json").read_text())
    version = (built[1] / "catalog_version").read_text().strip()
    from lift.commerce.catalog import Catalog

    assert version == Catalog.load(built[0]).version == meta["lift"]["catalog_version"]
    assert "3.4" in meta["spacy_version"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("do you have aria headphones or a laptop?",
         [("aria headphones", "product", "AUD-001"), ("laptop", "category", "computers")]),
        ("I want the ARIA PRO and two USB-C cables",
         [("ARIA PRO", "product", "AUD-002"), ("USB-C cables", "product", "ACC-002")]),
        ("add AUD-003 to my cart", [("AUD-003", "product", "AUD-003")]),
        ("show me cameras under 300", [("cameras", "category", "cameras")]),
        ("any smart home gear? maybe a Haven thermostat",
         [("smart home", "category", "smart_home"), ("Haven thermostat", "product", "SMH-003")]),
        ("browse Phones & Tablets", [("Phones & Tablets", "category", "phones")]),
        ("the lumina 18-55mm zoom lens", [("lumina 18-55mm zoom lens", "product", "CAM-003")]),
        ("a security camera for the hallway", [("security camera", "product", "SMH-005")]),
        ("Chef's Edge knife set", [("Chef's Edge knife set", "product", "KIT-006")]),
        ("i need a new headphone", [("headphone", "category", "audio")]),
        ("what time is it in Paris", []),
    ],
)
def test_entities(nlp, text, expected):
    assert ents(nlp, text) == expected


def test_every_product_name_and_synonym_is_recognised(nlp):
    from lift.commerce.catalog import Catalog

    for product in Catalog.load(CATALOG).products:
        for alias in (product.name, *product.synonyms, product.sku):
            found = ents(nlp, f"tell me about {alias} please")
            assert found == [(found[0][0], "product", product.sku)] if found else False, (alias, found)


def test_check_reports_up_to_date_then_stale(built, tmp_path):
    catalog, out = built
    cmd = [sys.executable, str(SCRIPT), "--check", "--catalog", str(catalog), "--out", str(out)]
    ok = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    changed = tmp_path / "catalog.json"
    data = json.loads(catalog.read_text())
    data["products"][0]["stock"] += 1
    changed.write_text(json.dumps(data))
    stale = subprocess.run(cmd[:3] + ["--catalog", str(changed), "--out", str(out)],
                           capture_output=True, text=True, timeout=60)
    assert stale.returncode == 1 and "catalog changed" in stale.stdout

    missing = subprocess.run(cmd[:3] + ["--catalog", str(catalog), "--out", str(tmp_path / "none")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1


def test_invalid_catalog_fails_cleanly(tmp_path, capsys):
    bad = tmp_path / "catalog.json"
    data = json.loads(CATALOG.read_text())
    data["products"][0]["complements"] = ["ZZZ-999"]
    bad.write_text(json.dumps(data))
    assert builder.main(["--catalog", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert "ZZZ-999" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
