#!/usr/bin/env python3
# Time from saving a page to the reload event of `innsyn serve`.
# Usage: scripts/bench-reload.py SITE_ROOT PAGE.md PORT [SAVES] [text|title]  (INNSYN=path/to/innsyn)
# Each save appends a line to the page (`text`, an edit of its text) or changes the
# page's `title = "..."` line (`title`, an edit of its front matter); saves are 3 s
# apart so the search index that follows each edit is done before the next.
import socket, subprocess, sys, time, os
root, page, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
saves = int(sys.argv[4]) if len(sys.argv) > 4 else 5
edit = sys.argv[5] if len(sys.argv) > 5 else "text"
if edit not in ("text", "title"):
    sys.exit("the edit is `text` or `title`")
p = subprocess.Popen([os.environ.get("INNSYN", "target/release/innsyn"), "serve", "--root", root, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(600):
    try:
        s = socket.create_connection(("127.0.0.1", port)); break
    except OSError: time.sleep(0.1)
# serve answers only requests addressed to itself (a loopback or IP Host).
s.sendall(f"GET /__innsyn/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
f = s.makefile("rb")
while True:
    line = f.readline()
    if not line:
        p.kill()
        sys.exit("serve closed the event stream before it said `connected`")
    if b"connected" in line:
        break
times = []
for i in range(saves):
    time.sleep(3.0)
    if edit == "text":
        with open(page, "a") as fh: fh.write("\n")
    else:
        with open(page) as fh: lines = fh.read().split("\n")
        n = next(j for j, l in enumerate(lines) if l.startswith("title = \""))
        # `title = "X"` → `title = "X x"`, and back on the next save.
        lines[n] = lines[n][:-1] + " x\"" if i % 2 == 0 else lines[n][:-3] + "\""
        with open(page, "w") as fh: fh.write("\n".join(lines))
    t = time.time()
    while True:
        line = f.readline()
        if not line:
            p.kill()
            sys.exit("serve closed the event stream")
        if b"data: reload" in line: break
    times.append(round((time.time() - t) * 1000))
p.kill()
print(root, edit, "edit, ms from save to reload:", times, "median", sorted(times)[len(times) // 2])
