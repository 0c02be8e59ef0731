"""Write a small placeholder SVG per catalog product into web/img/<sku>.svg.

Category colour + product initials: the web chat's product cards need an image per product and
the project ships no photographs. Re-run after adding products: `python scripts/make_product_images.py`.
"""
from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lift.commerce.catalog import Catalog  # noqa: E402

COLOURS = {
    "audio": "#6D28D9", "computers": "#1D4ED8", "phones": "#0F766E", "smart_home": "#B45309",
    "kitchen": "#B91C1C", "home_office": "#4D7C0F", "cameras": "#374151", "accessories": "#BE185D",
}
FALLBACK = "#475569"


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper()


def svg_for(product) -> str:
    colour = COLOURS.get(product.category, FALLBACK)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160" viewBox="0 0 160 160" '
        f'role="img" aria-label="{html.escape(product.name)}">\n'
        f'  <rect width="160" height="160" rx="16" fill="{colour}"/>\n'
        '  <text x="80" y="92" font-family="Helvetica, Arial, sans-serif" font-size="56" font-weight="700" '
        f'fill="#ffffff" text-anchor="middle">{html.escape(initials(product.name))}</text>\n'
        '  <text x="80" y="140" font-family="Helvetica, Arial, sans-serif" font-size="14" '
        f'fill="#ffffff" fill-opacity="0.85" text-anchor="middle">{html.escape(product.sku)}</text>\n'
        "</svg>\n"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--catalog", default=str(ROOT / "kb" / "catalog.json"))
    ap.add_argument("--out", default=str(ROOT / "web" / "img"))
    args = ap.parse_args(argv)
    catalog = Catalog.load(args.catalog)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for product in catalog.products:
        (out / f"{product.sku}.svg").write_text(svg_for(product), encoding="utf-8")
    print(f"wrote {len(catalog.products)} images to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
