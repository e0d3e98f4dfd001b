"""Write the generated JSON Schemas into schemas/ (``make schemas``).

The fault schema comes from the fault types, the scenario schema from the vendors'
scenario parts, the journal entry's redaction pattern from the vendors' secret names
(``mockserver/schemas.py``). mockserver/tests/test_schemas.py fails when a file is stale.
"""

from __future__ import annotations

from mockserver.resources import schema_path
from mockserver.schemas import generated_schemas, render


def main() -> int:
    for name, schema in generated_schemas().items():
        path = schema_path(name)
        text = render(schema)
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
        else:
            print(f"{path} is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
