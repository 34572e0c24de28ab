"""Run the DfE 903 validator on one extract folder and print per-rule error counts as JSON.

Runs inside its own Python 3.11 environment (csc-validator-be-903 pins pandas<2), never the
project's. Usage: python run_validator.py EXTRACT_DIR COLLECTION_YEAR LA_CODE
The validator prints progress to stdout, so the JSON goes to stdout last, on one line that starts
with RESULT=.
"""

import contextlib
import io
import json
import os
import sys
from pathlib import Path


def main() -> None:
    folder, year, la = sys.argv[1], sys.argv[2], sys.argv[3]
    from lac_validator import lac_validator
    from lac_validator.rules.ruleset_utils import get_year_ruleset
    from lac_validator.utils import process_uploaded_files

    paths = sorted(str(p) for p in Path(folder).glob("*.csv"))
    noise = io.StringIO()
    with contextlib.redirect_stdout(noise):
        v = lac_validator.LacValidator(
            metadata={"collectionYear": year, "localAuthority": la},
            files=process_uploaded_files({"This year": paths}),
            registry=get_year_ruleset(year),
            selected_rules=None,
        )
    # create_issue_df raises when there are no errors: count the ERR_ columns directly.
    counts: dict[str, int] = {}
    tables: dict[str, int] = {}
    children: dict[str, set] = {}  # the children each rule flags, for scoped exemptions
    for table, df in v.ds_results.items():
        if not hasattr(df, "columns"):  # the "metadata" entry is a dict
            continue
        tables[table] = int(len(df))
        for col in df.columns:
            if col.startswith("ERR_"):
                flagged = df[col].fillna(False).astype(bool)
                n = int(flagged.sum())
                if n:
                    counts[col[4:]] = counts.get(col[4:], 0) + n
                    children.setdefault(col[4:], set()).update(
                        str(c) for c in df.loc[flagged, "CHILD"])
    dump = os.environ.get("DUMP_RULE")  # debugging aid: show the rows a rule flags
    if dump:
        for table, df in v.ds_results.items():
            if hasattr(df, "columns") and f"ERR_{dump}" in df.columns:
                bad = df[df[f"ERR_{dump}"].fillna(False).astype(bool)]
                print(table, bad.drop(columns=[c for c in df.columns if c.startswith("ERR_")])
                      .head(8).to_string(), file=sys.stderr)
    print("RESULT=" + json.dumps({"errors": dict(sorted(counts.items())), "tables": tables,
                                   "children": {k: sorted(v) for k, v in children.items()},
                                   "rules_run": len(v.dones), "failed_to_run": sorted(v.fails)}))


if __name__ == "__main__":
    main()
