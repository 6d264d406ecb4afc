#!/bin/bash
# The TUI driven through tmux on a synthetic capture made here (one request
# per failure, hostile bytes in an upstream reply): every evidence line,
# stream and hex views, the flow view, export, help, filters, themes, 80x24
# and resize, C locale, and the terminal restored after q and SIGTERM.
# Synchronisation is by polling the screen (wait_for), never fixed sleeps.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { skip "tui synthetic: tmux not installed"; exit 0; }
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
S=gwtui-syn
PCAP=$TMPD/syn.pcap

# ---- a capture with one request per verdict ------------------------------
check "the synthetic capture's generator runs" "$PY" - "$PCAP" <<'EOF'
import socket, struct, sys
frames = []
def csum(b):
    b += b'\0' * (len(b) % 2)
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def ip4(src, dst, proto, pl):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(pl), 1, 0, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + pl
def emit(t, pkt): frames.append((t, b'\2\0\0\0\0\2\2\0\0\0\0\1\x08\0' + pkt))
def tcp(src, sp, dst, dp, seq, ack, fl, data=b''):
    return ip4(src, dst, 6, struct.pack('!HHIIBBHHH', sp, dp, seq, ack, 0x50, fl, 65535, 0, 0) + data)
def udp(src, sp, dst, dp, data):
    return ip4(src, dst, 17, struct.pack('!HHHH', sp, dp, 8 + len(data), 0) + data)
def name(n): return b''.join(bytes([len(p)]) + p.encode() for p in n.split('.')) + b'\0'
GW, DNS, S, A, F, R, P = '10.0.0.1', '10.0.0.53', 2, 16, 1, 4, 8
class C:
    def __init__(s, c, cp, sv, sp): s.c, s.cp, s.sv, s.sp, s.cs, s.ss = c, cp, sv, sp, 1000, 5000
    def syn(s, t): emit(t, tcp(s.c, s.cp, s.sv, s.sp, s.cs, 0, S))
    def hs(s, t):
        s.syn(t); emit(t + 1e-4, tcp(s.sv, s.sp, s.c, s.cp, s.ss, s.cs + 1, S | A))
        s.cs += 1; s.ss += 1; emit(t + 2e-4, tcp(s.c, s.cp, s.sv, s.sp, s.cs, s.ss, A))
    def send(s, t, d): emit(t, tcp(s.c, s.cp, s.sv, s.sp, s.cs, s.ss, P | A, d)); s.cs += len(d)
    def reply(s, t, d): emit(t, tcp(s.sv, s.sp, s.c, s.cp, s.ss, s.cs, P | A, d)); s.ss += len(d)
    def fin(s, t): emit(t, tcp(s.sv, s.sp, s.c, s.cp, s.ss, s.cs, F | A)); s.ss += 1
qid = [100]
def dns(t, host, rcode, addr=None, sport=40000):
    qid[0] += 1
    q = struct.pack('!6H', qid[0], 0x100, 1, 0, 0, 0) + name(host) + struct.pack('!HH', 1, 1)
    emit(t, udp(GW, sport, DNS, 53, q))
    a = struct.pack('!6H', qid[0], 0x8180 | rcode, 1, 1 if addr else 0, 0, 0) + name(host) + struct.pack('!HH', 1, 1)
    if addr: a += b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 60, 4) + socket.inet_aton(addr)
    emit(t + 8e-4, udp(DNS, 53, GW, sport, a))
def page():
    b = b'<html>502</html>'
    return b'HTTP/1.1 502 Bad Gateway\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % len(b) + b
def client(t, ip, port, url, host):
    c = C(ip, port, GW, 9090); c.hs(t)
    c.send(t + 1e-3, b'GET ' + url + b' HTTP/1.1\r\nHost: ' + host + b'\r\nAccept: */*\r\n\r\n')
    return c
t = 1700000000.0
c = client(t, '10.0.0.5', 50001, b'http://ok.test/', b'ok.test')
dns(t + .01, 'ok.test', 0, '10.1.0.80')
u = C(GW, 41001, '10.1.0.80', 80); u.hs(t + .02); u.send(t + .021, b'GET / HTTP/1.1\r\nHost: ok.test\r\n\r\n')
u.reply(t + .03, b'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello')
c.reply(t + .031, b'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello')
t += 2; c = client(t, '10.0.0.5', 50002, b'http://missing.test/index.html', b'missing.test')
dns(t + .01, 'missing.test', 3, sport=40002); c.reply(t + .02, page())
t += 2; c = client(t, '10.0.0.6', 50003, b'http://dropped.test/', b'dropped.test')
dns(t + .01, 'dropped.test', 0, '10.1.0.90', sport=40004)
u = C(GW, 41003, '10.1.0.90', 80)
for d in (0, 1, 3, 7): u.syn(t + .02 + d)
c.reply(t + 15.02, page())
t += 17; c = client(t, '10.0.0.5', 50004, b'http://closed.test/', b'closed.test')
dns(t + .01, 'closed.test', 0, '10.1.0.84', sport=40005)
u = C(GW, 41004, '10.1.0.84', 80); u.syn(t + .02)
emit(t + .0202, tcp('10.1.0.84', 80, GW, 41004, 0, 1001, R | A)); c.reply(t + .03, page())
t += 2; c = client(t, '10.0.0.7', 50005, b'http://blocked.test/', b'blocked.test')
dns(t + .01, 'blocked.test', 0, '10.1.0.91', sport=40006)
u = C(GW, 41005, '10.1.0.91', 80); u.syn(t + .02)
emit(t + .0203, ip4('10.1.0.254', GW, 1, struct.pack('!BBHI', 3, 13, 0, 0) + tcp(GW, 41005, '10.1.0.91', 80, 1000, 0, S)[:28]))
c.reply(t + .03, page())
t += 2; c = client(t, '10.0.0.5', 50006, b'http://nostatus.test/fw4.pdf', b'nostatus.test')
dns(t + .01, 'nostatus.test', 0, '10.1.0.81', sport=40007)
u = C(GW, 41006, '10.1.0.81', 80); u.hs(t + .02)
u.send(t + .021, b'GET /fw4.pdf HTTP/1.1\r\nHost: nostatus.test\r\n\r\n')
u.reply(t + .03, b'<html>\x1b]0;PWNED\x07\x1b[2J\x1b[31mEVIL\x1b[0m no status</html>\r\n')
u.fin(t + .031); c.reply(t + .04, page())
# a CONNECT the proxy refuses itself (no upstream traffic): 400, not a gateway error
t += 2; c = C('10.0.0.8', 50007, GW, 9090); c.hs(t)
c.send(t + 1e-3, b'CONNECT bad.test:25 HTTP/1.1\r\nHost: bad.test:25\r\n\r\n')
c.reply(t + .002, b'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for ts, d in frames:
        f.write(struct.pack('<IIII', int(ts), int(round((ts - int(ts)) * 1e6)), len(d), len(d)) + d)
EOF
check "synthetic capture written" test -s "$PCAP"

# ---- tmux helpers ---------------------------------------------------------
# start [ENV=… ] ARGS: a shell in an 80x24 tmux session runs the TUI
start() {
	tui_shell 80 24 "${TUI_TERM:-}" || return 1
	keys "clear; env $* ; echo EXIT=\$?" Enter
}
loaded() { wait_for 15 has "? help"; }

# ---- 80x24, UTF-8 ----------------------------------------------------------
start LANG=C.UTF-8 LC_ALL=C.UTF-8 "$GW_BIN" "$PCAP"
check "tui loads (status bar)" loaded
see "errors counted per verdict" "5 errors: DNS 1 CONNECT 3 BAD RESP 1"
see "errors only by default" "Gateway errors 5/7"
check "200 hidden by default" hasnt "ok.test"
check "screen is 24 lines of 80" test "$(screen | wc -l)" -eq 24 -a \
    "$(screen | head -1 | wc -m)" -le 81
check "box drawn with line characters" has "┌─ Gateway errors"

filter missing.test
see "nxdomain: verdict" "HOST NOT RESOLVABLE  (dns-nxdomain)"
see "nxdomain: DNS line" "A missing.test → NXDOMAIN"
see "nxdomain: remedy" "Fix       Add an A/AAAA record"

filter dropped.test
see "syn: verdict" "(syn-unanswered)"
# the report's numbers (issue 14: formatted once, in diag/evidence.c)
see "syn: first SYN" "+0.000 s  #"
see "syn: interval" "+1.000 s (+1.000 s)"
see "syn: backoff factor" "+3.000 s (+2.000 s ×2.0)"
see "syn: fourth SYN" "+7.000 s (+4.000 s ×2.0)"
see "syn: no answer" "no answer to 4 SYNs"

filter closed.test
see "rst: verdict" "(tcp-rst)"
see "rst: line" "RST       from the server: connection refused"

filter blocked.test
see "icmp: verdict" "(icmp-unreachable)"
see "icmp: type/code name" "ICMP      Communication administratively"
see "icmp: numbers" "type 3 code 13"

filter nostatus.test
see "invalid: verdict" "(http-invalid-response)"
see "invalid: first line escaped" 'Reply     <html>\e]0;PWNED\x07\e[2J\e[31mEVIL'
check "hostile bytes did not retitle the pane" \
    test "$(tmux display -p -t "$S" '#{pane_title}')" != PWNED
check "hostile bytes did not clear the screen" has "Gateway errors 1/7"

keys s
see "stream: upstream followed" "Stream upstream 10.0.0.1:41006"
see "stream: request shown" "GET /fw4.pdf HTTP/1.1"
see "stream: reply escaped" '<html>\e]0;PWNED\x07\e[2J'
keys x
see "stream: hex view" "00000000  47 45 54 20"
keys x s
see "stream: client side" "Stream client 10.0.0.5:50006"
see "stream: client's 502" "HTTP/1.1 502 Bad Gateway"
keys Tab
keys Enter
see "flow: title" "Flow of request #6"
see "flow: client column" "Client"
see "flow: upstream column" "Upstream"
see "flow: addresses under the columns" "10.0.0.53"
see "flow: SYN/ACK arrow" "SYN/ACK"
keys G Enter
see "flow: frame summary" "Gateway → Client"
keys q q
see "flow: back to the list" "Gateway errors 1/7"

filter ""
keys a
see "a shows all requests" "Requests 7/7"
# issue 14 bug 6: a 400 the proxy made itself is labelled as the reports
# label it (CLIENT ERROR; 4XX when narrow), never "OK"
seere "a 400 from the proxy itself: 4XX, not OK" "CONNECT +bad.test:25 +400 +4XX"
check "the 200 is listed" wait_for 5 has "http://ok.test/"
keys g c
see "c limits to one client" "only client 10.0.0.5"
see "client filter in the title" "Requests 4/7 client"
keys c a

keys '?'
see "help: generated from the action table" "Everywhere"
keys NPage
see "help lists keys (after a page down)" "export the request's frames"
keys q

# ---- export -------------------------------------------------------------
filter dropped.test
keys e
see "export: dialog" "Export to pcap"
see "export: default name" "gw502-3-10.0.0.6.pcap"
keys Enter
see "export: frame count reported" "exported 8 frames"
check "export: file exists" test -s "$TMPD/gw502-3-10.0.0.6.pcap"
check_eq "export: the file holds 8 frames" 8 "$(capture_frames "$TMPD/gw502-3-10.0.0.6.pcap")"
keys e Enter
see "export: asks before overwriting" "exists. Overwrite? (y/N)"
keys n
see "export: kept on no" "export cancelled"

# ---- themes ---------------------------------------------------------------
keys t
see "t: next theme" "theme: "

# ---- resize ---------------------------------------------------------------
tmux resize-window -t "$S" -x 130 -y 30 2>/dev/null
see "resize: wide layout shows both panes" "┬─ Stream"
check "resize: full labels when wide" wait_for 5 has "CANNOT CONNECT"
tmux resize-window -t "$S" -x 80 -y 24 2>/dev/null
see "resize back: narrow tabs" "├─ Evidence ─ Stream"
check "resize back: 80 columns" wait_for 5 sh -c \
    "[ \"\$(tmux capture-pane -p -t '$S' | head -1 | wc -m)\" -le 81 ]"

# ---- q restores the terminal -----------------------------------------------
keys q
see "q: shell prompt back" "EXIT=0"
keys "stty -a | tr '\n' ' ' | grep -o ' icanon.* echo ' | head -c 20; echo; echo STTY=\$(stty -a | grep -c -- '-icanon\|-echo ')" Enter
see "q: stty sane (icanon, echo)" "STTY=0"
check "q: no sanitizer report" hasnt "Sanitizer"

# ---- SIGTERM restores the terminal ------------------------------------------
keys "clear; LANG=C.UTF-8 $GW_BIN $PCAP; echo EXIT=\$?" Enter
check "sigterm: tui up" loaded
check "sigterm: sent to the TUI" kill -TERM "$(tui_pid)"
see "sigterm: shell prompt back" "EXIT=1"
see "sigterm: says why" "interrupted by signal 15"
keys "echo STTY=\$(stty -a | grep -c -- '-icanon\|-echo ')" Enter
see "sigterm: stty sane" "STTY=0"

# ---- C locale, no colours: ASCII lines, escapes still shown ----------------
TUI_TERM=vt100 start LANG=C LC_ALL=C "$GW_BIN" "$PCAP"
check "C locale: loads" loaded
see "C locale: ASCII box" "+- Gateway errors"
see "C locale: ASCII arrow" "A missing.test -> NXDOMAIN"
keys q
see "C locale: exits" "EXIT=0"

# ---- a broken theme: file:line:col, default used -------------------------------
printf 'name: broken\nelements:\n  border: { fg: purple }\n' >"$TMPD/broken.yaml"
start LANG=C.UTF-8 "$GW_BIN" -t "$TMPD/broken.yaml" "$PCAP"
see "broken theme: error with line and column" "broken.yaml:3:17: unknown colour"
keys q
see "broken theme: error repeated on exit" "using the default theme"
