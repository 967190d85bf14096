#!/bin/sh
# federation_tlp.sh - GREEN, AMBER and RED across three nodes on loopback
# (issue 12).  A publishes one record at each level; B holds a token A
# issued it (role peer, organisation b.example), C holds none.  Checked:
# B mirrors the GREEN record and the AMBER one A shares with b.example,
# each with its level and the commitment's salt; C mirrors only CLEAR;
# RED reaches no one (A's API refuses it to the peer token, and no sync
# stores it); A's API refuses every write by the peer token.  A server in
# the middle that changes the record's bytes, or the salt, is caught: the
# record is refused, counted, reported in `peer list`, nothing stored.
# Under OSAFE_TEST_PG every node's database is a fresh PostgreSQL database.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/nodes.sh.inc"

command -v curl >/dev/null 2>&1 || {
    echo "SKIP: federation_tlp needs curl"
    exit 77
}

ADB=$(newdb a)
BDB=$(newdb b)
CDB=$(newdb c)
DDB=$(newdb d)
EDB=$(newdb e)

token() { # DB NAME ROLE [ORG]
    "$OSAFE" token create --db "$1" --name "$2" --role "$3" \
        ${4:+--org "$4"} 2>/dev/null | tail -n 1
}

ok "$OSAFE" key generate a.example/log --out "$T/keys"
AKEY=$T/keys/a.example_log.key
AVKEY=$T/keys/a.example_log.vkey
ok "$OSAFE" log init "$T/a.log" --origin a.example/log --key "$AKEY"
ALICE=$(token "$ADB" alice reporter b.example)
CAROL=$(token "$ADB" carol reporter other.example)
BOB=$(token "$ADB" bob reviewer)
PEER_B=$(token "$ADB" node-b peer b.example)
expect_fail 1 "a peer token needs --org" "$OSAFE" token create --db "$ADB" \
    --name nobody --role peer

PA=$(free_port)
"$OSAFE" serve --db "$ADB" --log "$T/a.log" --key "$AKEY" \
    --listen "127.0.0.1:$PA" >"$T/a.out" 2>"$T/a.err" &
bg_register $!
A=http://127.0.0.1:$PA
i=0
until curl -s -o /dev/null "$A/log/checkpoint"; do
    i=$((i + 1))
    [ "$i" -le 200 ] || fail "A did not start: $(cat "$T/a.err")"
    sleep 0.1
done

# post TOKEN METHOD PATH [BODY]: the status, the answer in $T/post.out
post() {
    curl -s -o "$T/post.out" -w '%{http_code}' -X "$2" \
        -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
        ${4:+-d "$4"} "$A$3"
}

# publish OWNER LEVEL: a record at LEVEL, accepted by bob; prints its id
publish() {
    sed "s/\"tlp\": \"CLEAR\"/\"tlp\": \"$2\"/; s/Chat assistant answers/Level $2 record/" \
        "$OSAFE_TESTS/fixtures/records/minimal-incident.json" >"$T/rec.json"
    code=$(post "$1" POST /api/v1/records "$(cat "$T/rec.json")")
    [ "$code" = 201 ] || fail "create $2: $code $(cat "$T/post.out")"
    _id=$(sed 's/.*"id":"\([^"]*\)".*/\1/' "$T/post.out")
    code=$(post "$1" POST "/api/v1/records/$_id/submit")
    [ "$code" = 200 ] || fail "submit $_id: $code"
    code=$(post "$BOB" POST "/api/v1/records/$_id/review" \
        '{"decision":"accept"}')
    [ "$code" = 200 ] || fail "accept $_id: $code $(cat "$T/post.out")"
    echo "$_id"
}
say "A publishes one record at each level"
CLEAR=$(publish "$ALICE" CLEAR)
GREEN=$(publish "$ALICE" GREEN)
AMBER=$(publish "$ALICE" AMBER)
STRICT=$(publish "$ALICE" AMBER+STRICT)
OTHER=$(publish "$CAROL" AMBER)
RED=$(publish "$ALICE" RED)

say "A's API to the peer token: GREEN and b.example's AMBER; never RED; no writes"
for pair in "$GREEN 200" "$AMBER 200" "$STRICT 404" "$OTHER 404" \
    "$RED 404"; do
    set -- $pair
    code=$(curl -s -o /dev/null -w '%{http_code}' \
        -H "Authorization: Bearer $PEER_B" "$A/api/v1/records/$1")
    [ "$code" = "$2" ] || fail "peer token reads $1: $code, expected $2"
    code=$(curl -s -o /dev/null -w '%{http_code}' \
        -H "Authorization: Bearer $PEER_B" "$A/api/v1/records/$1/proof")
    [ "$code" = "$2" ] || fail "peer token, proof of $1: $code, expected $2"
    _checks=$((_checks + 2))
done
code=$(post "$PEER_B" POST /api/v1/records "$(cat "$T/rec.json")")
[ "$code" = 403 ] || fail "a peer token filed a record: $code"
code=$(post "$PEER_B" POST "/api/v1/records/$AMBER/withdraw" '{"reason":"x"}')
[ "$code" = 403 ] || fail "a peer token withdrew a record: $code"
_checks=$((_checks + 2))

# mirrored DB ID: the line of `peer mirrored` for ID, or nothing
mirrored() { "$OSAFE" peer mirrored --db "$1" | grep "\"origin_id\":\"$2\"" || :; }

say "B, holding the token, mirrors GREEN and AMBER with their level"
ok "$OSAFE" peer add "$A" --vkey "$AVKEY" --db "$BDB" --token-env B_TOKEN
B_TOKEN=$PEER_B
export B_TOKEN
ok "$OSAFE" peer sync --db "$BDB"
unset B_TOKEN
out_has "size 6, 6 new entries (1 mirrored, 0 withdrawn, 1 not mirrored)"
out_has "GREEN/AMBER through the peer's API: 2 stored, 2 not shared with us"
mirrored "$BDB" "$GREEN" | grep -q '"tlp":"GREEN","org":"","salt":"[0-9a-f]\{64\}"' ||
    fail "GREEN on B: $(mirrored "$BDB" "$GREEN" | cut -c1-200)"
mirrored "$BDB" "$AMBER" | grep -q '"tlp":"AMBER","org":"b.example","salt":"[0-9a-f]\{64\}"' ||
    fail "AMBER on B: $(mirrored "$BDB" "$AMBER" | cut -c1-200)"
for id in "$STRICT" "$OTHER" "$RED"; do
    [ -z "$(mirrored "$BDB" "$id")" ] || fail "$id reached B"
    _checks=$((_checks + 1))
done
_checks=$((_checks + 2))

say "C, without a token, mirrors CLEAR only; RED reaches no one"
ok "$OSAFE" peer add "$A" --vkey "$AVKEY" --db "$CDB"
ok "$OSAFE" peer sync --db "$CDB"
out_has "(1 mirrored, 0 withdrawn, 5 not mirrored)"
[ "$("$OSAFE" peer mirrored --db "$CDB" | wc -l)" -eq 1 ] ||
    fail "C mirrors more than the CLEAR record"
[ -n "$(mirrored "$CDB" "$CLEAR")" ] || fail "C lacks the CLEAR record"
_checks=$((_checks + 1))

command -v python3 >/dev/null 2>&1 || {
    echo "-- (no python3: the tampering server is not run)"
    pass
    exit 0
}
# tamper PORT MODE: a server in front of A that passes everything on, but
# changes the record's bytes (body) or the proof's salt (salt).
tamper() {
    python3 - "$1" "$A" "$2" >"$T/tamper.err" 2>&1 <<'EOF' &
import http.server, re, sys, urllib.error, urllib.request
port, up, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        hdr = {}
        if self.headers.get('Authorization'):
            hdr['Authorization'] = self.headers['Authorization']
        try:
            r = urllib.request.urlopen(urllib.request.Request(up + self.path, headers=hdr))
            code, body, h = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            code, body, h = e.code, e.read(), e.headers
        if code == 200 and self.path.startswith('/api/v1/records/'):
            if mode == 'body' and '/proof' not in self.path:
                body = body.replace(b'Level', b'Levels', 1)
            if mode == 'salt' and '/proof' in self.path:
                body = re.sub(rb'("salt": ?"[0-9a-f]{63})[0-9a-f]',
                              lambda m: m.group(1) + b'0' if not m.group(0).endswith(b'0') else m.group(1) + b'1', body)
        self.send_response(code)
        for k in ('Content-Type', 'X-Osafe-Org', 'X-Osafe-TLP'):
            if h.get(k):
                self.send_header(k, h[k])
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(('127.0.0.1', port), H).serve_forever()
EOF
    _tp=$!
    _i=0
    until curl -s -o /dev/null "http://127.0.0.1:$1/log/checkpoint"; do
        _i=$((_i + 1))
        [ "$_i" -le 100 ] || fail "the tampering server did not start: $(cat "$T/tamper.err")"
        sleep 0.1
    done
    echo "$_tp"
}

for mode in body salt; do
    say "a server in the middle changes the $mode: refused, reported, nothing stored"
    PT=$(free_port)
    tp=$(tamper "$PT" "$mode")
    bg_register "$tp"
    DB=$DDB
    [ "$mode" = body ] || DB=$EDB
    ok "$OSAFE" peer add "http://127.0.0.1:$PT" --vkey "$AVKEY" --db "$DB" \
        --token-env D_TOKEN
    run env D_TOKEN="$PEER_B" "$OSAFE" peer sync --db "$DB"
    [ "$rc" -eq 1 ] || fail "tampered $mode: exit $rc"
    grep -q "2 GREEN/AMBER record(s) served by the peer's API did not match" \
        "$T/err" || fail "tampered $mode: $(cat "$T/err")"
    ok "$OSAFE" peer list --db "$DB"
    out_has "did not match"
    [ "$("$OSAFE" peer mirrored --db "$DB" | wc -l)" -eq 1 ] ||
        fail "tampered $mode: more than the CLEAR record stored"
    [ -z "$(mirrored "$DB" "$GREEN")$(mirrored "$DB" "$AMBER")" ] ||
        fail "tampered $mode: a refused record was stored"
    kill "$tp" 2>/dev/null || :
    wait "$tp" 2>/dev/null || :
    _checks=$((_checks + 2))
done
pass
