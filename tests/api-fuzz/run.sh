#!/usr/bin/env bash
# Property-based tests of every /api/v1 route against the server's own OpenAPI document
# (issue 12), with schemathesis from tests/api-fuzz/.venv (`.ci/api-fuzz` installs it):
#
#   tests/api-fuzz/run.sh
#
# For each backend in API_FUZZ_BACKENDS (default "sqlite postgres") it makes a fresh database, a
# clinic with an admin, a supervisor and a volunteer (admin CLI) and three devices, starts
# `fieldclinic serve` on port 0, seeds intakes (device simulator and the JS client in tests/js:
# duplicates and open conflicts included), and runs schemathesis as the admin, the supervisor,
# the volunteer, a device, and once more for sign-out. Checks: no 5xx, every status, content type
# and body as documented. Then the server's log must hold no ERROR (a background write the API
# did not report, such as an audit entry PostgreSQL refused, fails the run too).
#
# Knobs: API_FUZZ_MAX_EXAMPLES (per operation for the admin pass; the other roles get fewer),
# API_FUZZ_SEED, API_FUZZ_WORKERS (more than 1 trips a CPython 3.11 `ast.parse` race inside
# hypothesis), API_FUZZ_REPORTS (schemathesis --report formats, e.g. junit,har), TEST_DATABASE_URL (PostgreSQL server to make a throwaway
# database on; as scripts/test), API_FUZZ_KEEP=1 keeps the temporary directory.
# Reports (JUnit) go to target/api-fuzz/BACKEND/PASS/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

here=tests/api-fuzz
venv=$here/.venv
binary=target/debug/fieldclinic
backends=${API_FUZZ_BACKENDS:-sqlite postgres}
max_examples=${API_FUZZ_MAX_EXAMPLES:-50}
seed=${API_FUZZ_SEED:-1201}
workers=${API_FUZZ_WORKERS:-1}
pg_url=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
reports_formats=${API_FUZZ_REPORTS:-junit}
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance

say() { printf '\n==> %s\n' "$*"; }
py() { "$venv/bin/python" "$@"; }
json_field() { py -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

if [ ! -x "$venv/bin/schemathesis" ]; then
    echo "No schemathesis in $venv: run .ci/api-fuzz, which installs $here/requirements.txt" >&2
    exit 1
fi
if [ ! -d tests/js/node_modules/@automerge ]; then
    echo "No JS client in tests/js/node_modules: npm ci --prefix tests/js (.ci/api-fuzz does)" >&2
    exit 1
fi
if [ ! -x "$binary" ] || [ ! -x "${binary%/*}/fieldclinic-loadtest" ]; then
    say "No $binary: building it"
    cargo build --workspace --bins
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fieldclinic-api-fuzz.XXXXXX")
server_pid=""
pg_db=""
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
cleanup() {
    stop_server
    if [ -n "$pg_db" ]; then
        psql -q "$pg_url" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
    fi
    if [ "${API_FUZZ_KEEP:-0}" = 1 ]; then
        echo "kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

# Swaps the database name at the end of a postgres:// URL (query strings are not supported).
pg_database_url() {
    local url=$1 name=$2
    echo "${url%/*}/$name"
}

failed=()

fuzz_backend() {
    local backend=$1 dir="$tmp/$1"
    mkdir -p "$dir"
    case $backend in
        sqlite)
            export FIELDCLINIC_DATABASE_URL="sqlite://$dir/fieldclinic.db"
            ;;
        postgres)
            if ! command -v psql >/dev/null || ! pg_isready -q -d "$pg_url"; then
                echo "PostgreSQL at $pg_url is not reachable: start it (scripts/test does) or" \
                    "set API_FUZZ_BACKENDS=sqlite" >&2
                exit 1
            fi
            pg_db="fieldclinic_api_fuzz_$$"
            psql -q "$pg_url" -c "CREATE DATABASE $pg_db" >/dev/null
            export FIELDCLINIC_DATABASE_URL
            FIELDCLINIC_DATABASE_URL=$(pg_database_url "$pg_url" "$pg_db")
            ;;
        *)
            echo "unknown backend $backend (sqlite or postgres)" >&2
            exit 1
            ;;
    esac

    say "[$backend] Accounts: a clinic, admin, supervisor, volunteer, three devices (admin CLI)"
    "$binary" migrate >/dev/null
    local clinic
    clinic=$("$binary" admin create-clinic "API fuzz clinic" --json | json_field clinic_id)
    local role users="{" devices="{"
    for role in admin supervisor volunteer; do
        local email="$role@api-fuzz.example" id
        id=$(echo "api-fuzz-passphrase-1" |
            "$binary" admin create-user --clinic "$clinic" --email "$email" --role "$role" --json |
            json_field user_id)
        users+="\"$role\": {\"email\": \"$email\", \"user_id\": \"$id\"},"
    done
    local device
    for device in a b spare; do
        devices+="\"$device\": $("$binary" admin enroll-device --clinic "$clinic" \
            --user volunteer@api-fuzz.example --name "Tablet $device" --json),"
    done
    echo "{\"users\": ${users%,}}, \"devices\": ${devices%,}}}" >"$dir/accounts.json"

    say "[$backend] Starting fieldclinic serve on port 0"
    FIELDCLINIC_LOG__FORMAT=json RUST_LOG=info "$binary" serve --bind 127.0.0.1:0 \
        >"$dir/server.stdout" 2>"$dir/server.log" &
    server_pid=$!
    local port="" tries=0
    until [ -n "$port" ]; do
        port=$(py -c '
import json, sys
for line in open(sys.argv[1]):
    try:
        fields = json.loads(line).get("fields", {})
    except ValueError:
        continue
    if fields.get("message") == "listening":
        print(fields["port"])
        break
' "$dir/server.log")
        tries=$((tries + 1))
        if [ -z "$port" ] && { [ "$tries" -ge 300 ] || ! kill -0 "$server_pid" 2>/dev/null; }; then
            echo "the server did not start listening within 30 s:" >&2
            tail -20 "$dir/server.log" >&2
            exit 1
        fi
        [ -n "$port" ] || sleep 0.1
    done
    local base="http://127.0.0.1:$port"
    echo "    listening on $base"

    say "[$backend] Seeding intakes, duplicates and conflicts"
    cp "$here/schemathesis.toml" "$dir/schemathesis.toml"
    py "$here/seed.py" --base "$base" --accounts "$dir/accounts.json" --binary "$binary" \
        --js tests/js --out "$dir"
    # shellcheck disable=SC1091
    source "$dir/tokens.env"

    # Signing out would end the session the other passes use, so it has a pass (and a session)
    # of its own, last; with one operation there are no links to follow.
    local all=examples,coverage,fuzzing,stateful
    # name|token|examples per operation|filter|operation|phases
    local passes=(
        "admin|$TOKEN_ADMIN|$max_examples|--exclude-name|DELETE /api/v1/sessions|$all"
        "supervisor|$TOKEN_SUPERVISOR|$((max_examples / 2))|--exclude-name|DELETE /api/v1/sessions|$all"
        "volunteer|$TOKEN_VOLUNTEER|$((max_examples / 4 + 1))|--exclude-name|DELETE /api/v1/sessions|$all"
        "device|$TOKEN_DEVICE|$((max_examples / 4 + 1))|--exclude-name|DELETE /api/v1/sessions|$all"
        "signout|$TOKEN_SIGNOUT|5|--include-name|DELETE /api/v1/sessions|coverage,fuzzing"
    )
    local pass
    for pass in "${passes[@]}"; do
        local name token examples filter operation phases
        IFS='|' read -r name token examples filter operation phases <<<"$pass"
        local reports="target/api-fuzz/$backend/$name"
        rm -rf "$reports"
        say "[$backend] schemathesis as $name ($examples examples per operation)"
        if ! "$venv/bin/schemathesis" --config-file "$dir/schemathesis.toml" run \
            "$base/api/v1/openapi.json" \
            --checks "$checks" \
            --header "Authorization: Bearer $token" \
            --max-examples "$examples" --seed "$seed" --workers "$workers" \
            --request-timeout 20 --no-color --output-truncate false \
            "$filter" "$operation" --phases "$phases" \
            --report "$reports_formats" --report-dir "$reports"; then
            failed+=("$backend/$name")
        fi
    done

    stop_server
    # Our own crates' errors only: actix-http logs each request it cannot parse (schemathesis
    # probes NUL bytes in headers) as an ERROR of its own, answered with a 400.
    local errors
    errors=$(py -c '
import json, sys
for line in open(sys.argv[1]):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("level") == "ERROR" and entry.get("target", "").startswith("fieldclinic"):
        print(line.rstrip()[:2000])
' "$dir/server.log")
    if [ -n "$errors" ]; then
        say "[$backend] The server logged errors:"
        head -20 <<<"$errors"
        failed+=("$backend/server-log")
    fi
    if [ -n "$pg_db" ]; then
        psql -q "$pg_url" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null
        pg_db=""
    fi
}

start=$SECONDS
for backend in $backends; do
    fuzz_backend "$backend"
done

if [ "${#failed[@]}" -gt 0 ]; then
    say "API fuzzing FAILED in $((SECONDS - start)) s: ${failed[*]}"
    exit 1
fi
say "API fuzzing passed in $((SECONDS - start)) s ($backends)"
