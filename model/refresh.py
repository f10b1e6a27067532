#!/usr/bin/env python3
"""Refresh the trimmed Chime API model (chime 2018-05-01) from an installed botocore.

    python3 model/refresh.py          # rewrite model/service-2.json and model/paginators-1.json
    python3 model/refresh.py --check  # exit 1 when the committed files differ from botocore's

The trimmed model is botocore's service-2 and paginators-1 documents for `chime` with every documentation
string removed (members, shapes, operations and the service), so that the wire-layer generator
(model/gen) reads one small, reviewable file. Nothing else is changed: shapes, traits, http bindings, errors
and paginators are kept as botocore ships them. After refreshing, run `go generate ./...`.
"""
import json
import os
import sys

import botocore
import botocore.loaders

HERE = os.path.dirname(os.path.abspath(__file__))
DROP = {"documentation", "documentationUrl"}


def trim(v):
    if isinstance(v, dict):
        return {k: trim(x) for k, x in v.items() if k not in DROP}
    if isinstance(v, list):
        return [trim(x) for x in v]
    return v


def render(doc):
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def main():
    loader = botocore.loaders.create_loader()
    files = {
        "service-2.json": trim(loader.load_service_model("chime", "service-2", "2018-05-01")),
        "paginators-1.json": trim(loader.load_service_model("chime", "paginators-1", "2018-05-01")),
    }
    files["service-2.json"].setdefault("metadata", {})["x-chimed-botocore-version"] = botocore.__version__
    check = "--check" in sys.argv[1:]
    stale = []
    for name, doc in files.items():
        path = os.path.join(HERE, name)
        text = render(doc)
        if check:
            try:
                with open(path, encoding="utf-8") as f:
                    old = json.load(f)
            except FileNotFoundError:
                old = None
            # botocore versions differ in nothing but this marker when the model itself is unchanged.
            if old is not None:
                old.get("metadata", {}).pop("x-chimed-botocore-version", None)
            doc.get("metadata", {}).pop("x-chimed-botocore-version", None)
            if old != doc:
                stale.append(name)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if stale:
        print("stale (run python3 model/refresh.py && go generate ./...): " + ", ".join(stale), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
