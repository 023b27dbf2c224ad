#!/bin/bash
# test_tls.sh - TLS and credentials against the real demo service behind a
# python3 TLS reverse proxy (ssl module), with a throwaway CA made by openssl:
#   - default verification fails on the test CA's certificate, one line, exit 1;
#     --cacert and --insecure succeed; --insecure is flagged on screen;
#   - a proxy that requires a client certificate: --cert/--key succeed, a
#     missing certificate or an unreadable one fails;
#   - -H NAME:VALUE, -H @FILE and PPROFTOP_HEADERS reach the server (the proxy
#     records Authorization and X-Api-Key) and the secret values never show
#     on screen, in error messages, on stderr or in a snapshot directory;
#   - header values with CR/LF, or without a name, are rejected without
#     echoing the value; URL userinfo is sent but never shown.
#
# env: PPROFTOP_BIN (the binary; point it at an ASan build to run the same
# checks under the sanitizers: every stderr must then be free of reports),
# PPROFTOP_DEMO (the demo binary; default build/demo/demo, built with
# scripts/build-demo.sh when missing). Needs tmux, openssl and python3; exits
# 77 (skip) when one is missing. Prints "ok N - ..." / "not ok N - ..." lines
# and exits 1 when any check failed.
set -u

bin=${PPROFTOP_BIN:?PPROFTOP_BIN is not set}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
demo_bin=${PPROFTOP_DEMO:-$root/build/demo/demo}
export LC_ALL=C # this script's own tools; pproftop gets its locale per run

for tool in tmux python3 openssl; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed"
		exit 77
	fi
done
if [ ! -x "$demo_bin" ]; then
	"$root/scripts/build-demo.sh" >/dev/null 2>&1 || {
		echo "1..0 # SKIP the demo service cannot be built (no Go toolchain?)"
		exit 77
	}
fi

lib_name=tls
# shellcheck source=tests/sh/tui-lib.sh
. "$here/tui-lib.sh"
# tui_quit NAME: q, then the exit status must be 0 and stderr empty.
tui_quit() {
	local name=$1 i
	tm send-keys -t "$name" q
	for ((i = 0; i < 300; i++)); do
		[ -e "$tmp/$name.exit" ] && break
		sleep 0.05
	done
	if [ "$(cat "$tmp/$name.exit" 2>/dev/null)" = 0 ]; then
		ok "$name: q quits with status 0"
	else
		notok "$name: q: exit status '$(cat "$tmp/$name.exit" 2>/dev/null)'"
		screen "$name" | diag
	fi
	if [ -s "$tmp/$name.err" ]; then
		notok "$name: stderr is not empty"
		diag 40 <"$tmp/$name.err"
	else
		ok "$name: stderr is empty"
	fi
}

# run ARGS...: the binary in batch mode; $rc and $err are the results,
# $tmp/out and $tmp/err the output.
run() {
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	err=$(cat "$tmp/err")
}
sanitizer_clean() { ! grep -Eq 'Sanitizer|runtime error:' "$tmp/err"; }
# expect_ok DESC: the last run succeeded with a goroutine table and no stderr.
expect_ok() {
	if [ "$rc" -eq 0 ] && [ -z "$err" ] && grep -q '^goroutine: text (debug=1)' "$tmp/out"; then
		ok "$1"
	else
		notok "$1: exit $rc"
		diag <"$tmp/err"
	fi
}
# expect_fail DESC ERE: exit 1, stderr matches ERE, no sanitizer report.
expect_fail() {
	if [ "$rc" -eq 1 ] && grep -Eq -- "$2" "$tmp/err" && sanitizer_clean; then
		ok "$1"
	else
		notok "$1: exit $rc, expected 1 and stderr matching /$2/"
		diag <"$tmp/err"
	fi
}
# one_line DESC: the last run's stderr is exactly one line.
one_line() {
	local lines
	lines=$(wc -l <"$tmp/err")
	if [ "$lines" -eq 1 ]; then
		ok "$1: stderr is one line"
	else
		notok "$1: stderr is $lines lines, expected one"
		diag 10 <"$tmp/err"
	fi
}
# no_secret DESC FILE...: none of the secrets occurs in the files.
no_secret() {
	local desc=$1 s hits=""
	shift
	for s in "${secrets[@]}"; do
		if grep -rqaF -- "$s" "$@" 2>/dev/null; then
			hits="$hits $s"
		fi
	done
	if [ -z "$hits" ]; then
		ok "$desc: no secret"
	else
		notok "$desc: leaks$hits"
		grep -raF -e "${secrets[0]}" -e "${secrets[1]}" -e "${secrets[2]}" -- "$@" | diag 5
	fi
}

# ---------------------------------------------------------------- certificates

cd "$tmp" || exit 1
mk() { openssl "$@" >>"$tmp/openssl.log" 2>&1; }
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
if mk req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 2 -subj "/CN=pproftop test CA" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
	mk req "${ec[@]}" -keyout server.key -out server.csr -subj "/CN=127.0.0.1" &&
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
		>server.ext &&
	mk x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
		-days 2 -extfile server.ext &&
	mk req "${ec[@]}" -keyout client.key -out client.csr -subj "/CN=pproftop client" &&
	printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >client.ext &&
	mk x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem \
		-days 2 -extfile client.ext; then
	ok "openssl made a CA, a server certificate for 127.0.0.1 and a client certificate"
else
	notok "openssl failed"
	diag <"$tmp/openssl.log"
	echo "1..$n"
	exit 1
fi

# ---------------------------------------------------------------- servers

cat >proxy.py <<'EOF'
# proxy.py UPSTREAM CERT KEY CLIENT_CA|- LOG [tls12]: TLS in front of
# http://UPSTREAM; with CLIENT_CA it requires a client certificate; tls12 caps
# the version at TLS 1.2. Logs the credentials it got.
import http.client, http.server, socketserver, ssl, sys
up, cert, key, cca, log = sys.argv[1:6]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        with open(log, "a") as f:
            f.write("%s auth=[%s] x-api-key=[%s]\n" % (self.path,
                self.headers.get("Authorization", "-"), self.headers.get("X-Api-Key", "-")))
        c = http.client.HTTPConnection(up, timeout=30)
        c.request("GET", self.path)
        r = c.getresponse()
        body = r.read()
        self.send_response(r.status)
        for k in ("Content-Type", "X-Go-Pprof", "Content-Disposition"):
            if r.getheader(k): self.send_header(k, r.getheader(k))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        c.close()
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    def handle_error(self, request, client_address): pass  # refused handshakes
s = S(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
if cca != "-":
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cca)
if sys.argv[6:] == ["tls12"]:
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
s.socket = ctx.wrap_socket(s.socket, server_side=True)
print("listening on 127.0.0.1:%d" % s.server_address[1], flush=True)
s.serve_forever()
EOF

start_server demo "$demo_bin" -addr 127.0.0.1:0 -heap-max 16777216 || exit 1
demo=$addr
start_server tls python3 proxy.py "$demo" server.pem server.key - tls.log || exit 1
tls=https://$addr
start_server mtls python3 proxy.py "$demo" server.pem server.key ca.pem mtls.log || exit 1
mtls=https://$addr
start_server mtls12 python3 proxy.py "$demo" server.pem server.key ca.pem mtls.log tls12 || exit 1
mtls12=https://$addr
tls_port=${tls##*:}

# ---------------------------------------------------------------- verification

# Batch mode gives up after 3 failed polls with backoff (interval x2, x4):
# -i 0.1 keeps that under a second.
t0=$(date +%s%N)
run --batch -n 1 -i 0.1 "$tls"
t1=$(date +%s%N)
expect_fail "default verification fails against the test CA" \
	'TLS: certificate verify failed \(unable to get local issuer certificate\)'
one_line "default verification"
echo "# verification failure reported after $(((t1 - t0) / 1000000)) ms (-i 0.1)"

run --batch -n 1 --cacert ca.pem "$tls"
expect_ok "--cacert ca.pem verifies the server"
run --batch -n 1 --cacert client.pem -i 0.1 "$tls"
expect_fail "--cacert with the wrong CA fails" 'TLS: certificate verify failed'
run --batch -n 1 --cacert "$tmp/no-such-ca.pem" -i 0.1 "$tls"
expect_fail "--cacert with a missing file fails" "TLS: could not load CA certificates"
run --batch -n 1 --insecure "$tls"
expect_ok "--insecure skips verification"
run --batch -n 1 --cacert ca.pem -i 0.1 "https://localhost:$tls_port"
expect_fail "the certificate is for 127.0.0.1, not localhost" \
	"TLS|certificate|SSL: no alternative certificate subject name"

# ---------------------------------------------------------------- client certificates

run --batch -n 1 --cacert ca.pem --cert client.pem --key client.key "$mtls"
expect_ok "--cert/--key are accepted by the proxy that requires them"
# TLS 1.3: the server's refusal comes after the handshake, as an alert or,
# when the server closes first, as a reset or a closed pipe (with the hint)
run --batch -n 1 --cacert ca.pem -i 0.1 "$mtls"
expect_fail "TLS 1.3, no client certificate: refused" \
	"certificate required|connection (reset|closed) by peer \(does the server want a client certificate|TLS: the server broke off"
one_line "TLS 1.3, no client certificate"
run --batch -n 1 --cacert ca.pem --cert client.pem --key client.key "$mtls12"
expect_ok "TLS 1.2: --cert/--key accepted"
run --batch -n 1 --cacert ca.pem -i 0.1 "$mtls12"
expect_fail "TLS 1.2, no client certificate: handshake refused" "TLS: handshake failed"
run --batch -n 1 --cacert ca.pem --cert "$tmp/nope.pem" --key client.key -i 0.1 "$mtls"
expect_fail "--cert with a missing file" "TLS: could not load the client certificate"
run --batch -n 1 --cacert ca.pem --cert client.pem --key server.key -i 0.1 "$mtls"
expect_fail "--key that does not match --cert" "TLS|key|certificate"

# ---------------------------------------------------------------- headers

secrets=(tok-FILE-5c1e7 tok-ENV-9b2d4 pw-URL-71aa0 tok-CRLF-33f1 tok-NOCOLON-2e8)
printf '# comment\nAuthorization: Bearer tok-FILE-5c1e7\r\n' >hdr.txt # CRLF on purpose
: >tls.log
PPROFTOP_HEADERS='X-Api-Key: tok-ENV-9b2d4' run --batch -n 1 --cacert ca.pem -H @hdr.txt "$tls"
expect_ok "-H @FILE (CRLF line) and PPROFTOP_HEADERS: batch run"
nreq=$(grep -c . tls.log)
ngood=$(grep -cF 'auth=[Bearer tok-FILE-5c1e7] x-api-key=[tok-ENV-9b2d4]' tls.log)
if [ "$nreq" -gt 0 ] && [ "$nreq" -eq "$ngood" ]; then
	ok "every request ($nreq) carried both headers, exactly (no stray CR)"
else
	notok "$ngood of $nreq requests carried both headers"
	diag <tls.log
fi
no_secret "batch stdout/stderr with headers" "$tmp/out" "$tmp/err"

# a failing run with credentials: the error must not carry them
PPROFTOP_HEADERS='X-Api-Key: tok-ENV-9b2d4' run --batch -n 1 -i 0.1 -H @hdr.txt \
	"https://alice:pw-URL-71aa0@127.0.0.1:$tls_port"
expect_fail "credentials + unverified certificate: fails" "TLS: certificate verify failed"
no_secret "TLS error with header and URL credentials" "$tmp/out" "$tmp/err"

: >tls.log
run --batch -n 1 --cacert ca.pem "https://alice:pw-URL-71aa0@127.0.0.1:$tls_port"
expect_ok "URL userinfo: batch run"
if grep -qF "auth=[Basic $(printf 'alice:pw-URL-71aa0' | base64)]" tls.log; then
	ok "URL userinfo is sent as Basic authorization"
else
	notok "URL userinfo was not sent"
	diag <tls.log
fi
no_secret "batch output with URL userinfo" "$tmp/out" "$tmp/err"
run --batch -n 1 "https://alice:pw-URL-71aa0@127.0.0.1:99999"
if [ "$rc" -eq 2 ]; then ok "bad port: exit 2"; else notok "bad port: exit $rc, expected 2"; fi
no_secret "bad-port error for a target with userinfo" "$tmp/err"

# rejected headers: exit 2, one line, the value not echoed
reject() { # DESC: the last run must be a usage error that names no secret
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -q "a header must look like 'Name: value'" "$tmp/err"; then
		ok "$1: rejected"
	else
		notok "$1: exit $rc"
		diag <"$tmp/err"
	fi
	no_secret "$1: message" "$tmp/out" "$tmp/err"
}
run --batch -n 1 -H $'Authorization: Bearer tok-CRLF-33f1\r\nX-Injected: 1' "$tls"
reject "-H with CR LF"
run --batch -n 1 -H $'Authorization: Bearer tok-CRLF-33f1\nX-Injected: 1' "$tls"
reject "-H with LF"
run --batch -n 1 -H $'Authorization: Bearer tok-CRLF-33f1\rX-Injected: 1' "$tls"
reject "-H with a bare CR"
printf 'Authorization: Bearer tok-CRLF-33f1\rX-Injected: 1\n' >bad-hdr.txt
run --batch -n 1 -H @bad-hdr.txt "$tls"
reject "-H @FILE with a CR inside a line"
PPROFTOP_HEADERS=$'Authorization: Bearer tok-CRLF-33f1\rX-Injected: 1' run --batch -n 1 "$tls"
reject "PPROFTOP_HEADERS with a CR inside a line"
run --batch -n 1 -H 'Bearer tok-NOCOLON-2e8' "$tls"
reject "-H without a name"
run --batch -n 1 -H ': tok-NOCOLON-2e8' "$tls"
reject "-H with an empty name"

# ---------------------------------------------------------------- on screen

# --insecure: the header says so
tui_start insecure 120 30 C.UTF-8 "$bin" --insecure --budget 0 -i 0.5 "$tls" || notok "insecure: no start"
if wait_for insecure 'TLS NOT VERIFIED' && wait_for insecure 'Goroutines \([1-9][0-9]*\)'; then
	ok "--insecure: 'TLS NOT VERIFIED' on screen, with data"
else
	notok "--insecure: no warning on screen"
	screen insecure | diag
fi
tui_quit insecure

# a TLS failure in the TUI: the error is on screen, the credentials are not
tui_start tlsfail 140 30 C.UTF-8 "$bin" -H @hdr.txt -i 0.5 \
	"https://alice:pw-URL-71aa0@127.0.0.1:$tls_port" || notok "tlsfail: no start"
if wait_for tlsfail 'TLS: certificate verify failed'; then
	ok "TUI: the TLS error is on screen"
else
	notok "TUI: no TLS error on screen"
	screen tlsfail | diag
fi
screen tlsfail >tlsfail.txt
no_secret "TUI screen with a TLS error" tlsfail.txt
tui_quit tlsfail

# headers in the TUI: a snapshot, the help and a detail view; no secret anywhere
: >tls.log
tui_start hdr 140 40 C.UTF-8 PPROFTOP_HEADERS='X-Api-Key: tok-ENV-9b2d4' "$bin" -H @hdr.txt \
	--cacert ca.pem --budget 0 -o "$tmp/snaps" -i 0.3 "https://alice:pw-URL-71aa0@127.0.0.1:$tls_port" ||
	notok "hdr: no start"
: >screens.txt
if wait_for hdr 'Goroutines \([1-9][0-9]*\)' && wait_for hdr 'polled'; then
	ok "headers + userinfo: the dashboard shows data"
else
	notok "headers + userinfo: no data on screen"
	screen hdr | diag
fi
screen hdr >>screens.txt
tm send-keys -t hdr s
if wait_for hdr 'snapshot saved: '; then
	ok "s saves a snapshot"
else
	notok "s: no 'snapshot saved' message"
	screen hdr | diag
fi
screen hdr >>screens.txt
tm send-keys -t hdr Enter
sleep 0.4
screen hdr >>screens.txt
tm send-keys -t hdr Escape
sleep 0.2
tm send-keys -t hdr '?'
sleep 0.4
screen hdr >>screens.txt
tm send-keys -t hdr Escape
sleep 0.2
if [ -n "$(ls -A "$tmp/snaps" 2>/dev/null)" ]; then
	ok "the snapshot directory has files ($(find "$tmp/snaps" -type f | wc -l))"
else
	notok "the snapshot directory is empty"
fi
no_secret "snapshot directory" "$tmp/snaps"
no_secret "screens (table, snapshot message, detail, help)" screens.txt
tui_quit hdr
no_secret "TUI stderr" "$tmp/hdr.err"
nreq=$(grep -c . tls.log)
ngood=$(grep -cF "auth=[Bearer tok-FILE-5c1e7] x-api-key=[tok-ENV-9b2d4]" tls.log)
if [ "$nreq" -gt 0 ] && [ "$nreq" -eq "$ngood" ]; then
	ok "TUI: every request ($nreq) carried the -H @FILE and PPROFTOP_HEADERS headers"
else
	notok "TUI: $ngood of $nreq requests carried both headers"
	diag <tls.log
fi

echo "1..$n"
[ "$nfail" -eq 0 ]
