"""Seeds a freshly started fieldclinic for tests/api-fuzz/run.sh and writes what the fuzzer needs.

Against the running server at --base (whose accounts `run.sh` made with the admin CLI) it:

* signs every account in (before the fuzzer touches POST /sessions, whose per-address limit
  then refuses everyone from 127.0.0.1 for a while);
* pushes 2 x 4 realistic intakes with the repository's own device simulator
  (`fieldclinic-loadtest`, seeded RNG: the second push repeats the first's people, so there are duplicate
  candidates);
* with the JavaScript client in tests/js, makes one intake that two devices edited offline on
  the same two legal fields (open conflicts for the resolve route);
* waits until the case index lists all of them, then writes `tokens.env` and appends the
  dictionaries (real document, user, device and conflict value IDs) to `schemathesis.toml`
  in --out.

Standard library only, so it runs on any Python 3.9+ without the venv.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PASSWORD = "api-fuzz-passphrase-1"
LOADTEST_INTAKES = 4

CONFLICT_INTAKE = {
    "kind": "intake",
    "schema_version": 1,
    "person": {
        "legal_name": "Rae Conflict",
        "date_of_birth": "1980-01-01",
        "status_now": "us_citizen",
        "citizen_or_lpr_since": "birth",
        "status_at_offense": "us_citizen",
    },
    "offenses": [
        {
            "id": "offense-1",
            "citation": "21 USC 844",
            "substance": "marijuana",
            "conduct": "possession",
            "jurisdiction": "federal",
            "disposition": "convicted",
        }
    ],
}


def log(message: str) -> None:
    print(f"    seed: {message}", flush=True)


def call(base: str, method: str, path: str, token: str | None = None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {path}: {e.code} {e.read()[:500]!r}") from None


def sign_in(base: str, email: str) -> str:
    _, body = call(base, "POST", "/api/v1/sessions", body={"email": email, "password": PASSWORD})
    return body["token"]


def ticket(base: str, device_token: str) -> str:
    _, body = call(base, "POST", "/api/v1/sync-tickets", token=device_token)
    return body["ticket"]


def run(args: list[str], **kwargs) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} … failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def node(js_dir: Path, script: str, *args: str) -> dict:
    out = run(["node", str(js_dir / script), *args, "--timeout-ms", "30000"])
    return json.loads(out.strip().splitlines()[-1])


def conflicted_intake(js_dir: Path, ws: str, tickets: tuple[str, str], work: Path) -> str:
    """Two devices of the volunteer write different values for two legal fields offline."""
    a, b = work / "device-a", work / "device-b"
    server_a = f"{ws}?ticket={tickets[0]}"
    server_b = f"{ws}?ticket={tickets[1]}"
    url = node(js_dir, "create.mjs", "--storage", str(a), "--doc", json.dumps(CONFLICT_INTAKE))["url"]
    node(js_dir, "sync.mjs", "--server", server_a, "--storage", str(a), "--url", url, "--await-determination")
    node(js_dir, "sync.mjs", "--server", server_b, "--storage", str(b), "--url", url)
    node(js_dir, "edit.mjs", "--storage", str(a), "--url", url,
         "--set", 'offenses.0.offense_date="2019-03-01"', "--set", 'person.date_of_birth="1980-01-02"')
    node(js_dir, "edit.mjs", "--storage", str(b), "--url", url,
         "--set", 'offenses.0.offense_date="2019-04-01"', "--set", 'person.date_of_birth="1980-01-03"')
    node(js_dir, "sync.mjs", "--server", server_a, "--storage", str(a), "--url", url)
    node(js_dir, "sync.mjs", "--server", server_b, "--storage", str(b), "--url", url, "--await-determination")
    return url.removeprefix("automerge:")


def wait_for_index(base: str, token: str, total: int) -> list[dict]:
    deadline = time.monotonic() + 30
    while True:
        _, page = call(base, "GET", "/api/v1/cases?limit=500", token=token)
        conflicted = [c for c in page["cases"] if c["open_conflicts"] >= 2]
        if page["total"] >= total and conflicted:
            return page["cases"]
        if time.monotonic() > deadline:
            raise SystemExit(f"the case index lists {page['total']} of {total} intakes after 30 s")
        time.sleep(0.2)


def dictionary(name: str, values: list) -> str:
    if not values:
        raise SystemExit(f"no values for dictionary {name}")
    return f"[dictionaries.{name}]\nvalues = {json.dumps(values)}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--accounts", required=True, help="accounts.json written by run.sh")
    parser.add_argument("--binary", required=True)
    parser.add_argument("--js", required=True, help="tests/js with node_modules")
    parser.add_argument("--out", required=True, help="directory for tokens.env and dictionaries")
    opts = parser.parse_args()
    base, out, js_dir = opts.base, Path(opts.out), Path(opts.js)
    accounts = json.loads(Path(opts.accounts).read_text())

    tokens = {role: sign_in(base, accounts["users"][role]["email"])
              for role in ("admin", "supervisor", "volunteer")}
    tokens["signout"] = sign_in(base, accounts["users"]["admin"]["email"])
    log("signed in admin, supervisor and volunteer")

    device_a, device_b = accounts["devices"]["a"]["token"], accounts["devices"]["b"]["token"]
    ws = base.replace("http://", "ws://") + "/sync"
    for _ in range(2):
        run([str(Path(opts.binary).with_name("fieldclinic-loadtest")), "--url", f"{ws}?ticket={ticket(base, device_a)}",
             "--devices", "1", "--intakes", str(LOADTEST_INTAKES), "--rounds", "0",
             "--timeout-secs", "60", "--json"])
    log(f"pushed 2 x {LOADTEST_INTAKES} intakes with the device simulator")
    conflict_doc = conflicted_intake(js_dir, ws, (ticket(base, device_a), ticket(base, device_b)), out)
    log(f"made intake {conflict_doc} with two open conflicts through the JS client")

    cases = wait_for_index(base, tokens["admin"], 2 * LOADTEST_INTAKES + 1)
    _, detail = call(base, "GET", f"/api/v1/cases/{conflict_doc}", token=tokens["admin"])
    conflicts = detail["conflicts"]
    _, duplicates = call(base, "GET", "/api/v1/duplicates", token=tokens["admin"])
    log(f"{len(cases)} cases, {len(conflicts)} open conflicts, "
        f"{len(duplicates['duplicates'])} duplicate candidates")

    users = [u["user_id"] for u in accounts["users"].values()]
    devices = [d["device_id"] for d in accounts["devices"].values()]
    config = out / "schemathesis.toml"
    with config.open("a") as f:
        f.write("\n# Written by seed.py for this run.\n")
        f.write(dictionary("documents", [c["document_id"] for c in cases]))
        f.write(dictionary("conflict_documents", [conflict_doc]))
        f.write(dictionary("duplicate_documents",
                           sorted({doc for d in duplicates["duplicates"] for doc in d["documents"]})))
        f.write(dictionary("conflict_paths", [c["path"] for c in conflicts]))
        f.write(dictionary("conflict_values", [v["id"] for c in conflicts for v in c["values"]]))
        f.write(dictionary("dates", ["2019-03-15", "1980-01-04"]))
        f.write(dictionary("users", users))
        f.write(dictionary("actors", users + devices))
        f.write(dictionary("emails", [u["email"] for u in accounts["users"].values()]))
        f.write(dictionary("spare_devices", [accounts["devices"]["spare"]["device_id"]]))
    with (out / "tokens.env").open("w") as f:
        for role, token in tokens.items():
            f.write(f"TOKEN_{role.upper()}={token}\n")
        f.write(f"TOKEN_DEVICE={device_a}\n")


if __name__ == "__main__":
    try:
        main()
    except subprocess.TimeoutExpired as e:
        sys.exit(f"timed out: {e}")
