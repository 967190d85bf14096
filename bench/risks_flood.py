#!/usr/bin/env python3
"""risks_flood.py - issue 9 item 3 replayed: 8 anonymous clients asking
/risks for random seeds while one client reads the API; prints the API
latency with the rate limits off (--read-rate 0) and at their defaults.

usage: bench/risks_flood.py OSAFE DB LOGDIR KEY [SECONDS]
(a registry with published records, e.g. `osafe import avid
../shared/data/avid/avid_reports.jsonl --publish ...`).  Not run by ctest:
timings belong here, not in unit tests."""
import random, statistics, subprocess, sys, threading, time
import urllib.error, urllib.request


def run(osafe, db, log, key, extra, dur):
    p = subprocess.Popen([osafe, "serve", "--db", db, "--log", log, "--key",
                          key, "--listen", "127.0.0.1:0"] + extra,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
    base = "http://127.0.0.1:%d" % int(p.stdout.readline().split()[-1])
    stop, codes, lat, lock = time.time() + dur, {}, [], threading.Lock()

    def attacker():
        while time.time() < stop:
            url = "%s/risks?seed=%d" % (base, random.randrange(1 << 40))
            try:
                with urllib.request.urlopen(url, timeout=60) as r:
                    r.read()
                    c = r.status
            except urllib.error.HTTPError as e:
                c = e.code
            except OSError:
                c = -1
            with lock:
                codes[c] = codes.get(c, 0) + 1

    def reader():
        while time.time() < stop:
            t = time.time()
            try:
                urllib.request.urlopen(base + "/api/v1/records?limit=10",
                                       timeout=60).read()
            except OSError:
                pass
            lat.append(time.time() - t)
            time.sleep(0.05)

    ts = [threading.Thread(target=attacker) for _ in range(8)]
    ts.append(threading.Thread(target=reader))
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    p.terminate()
    p.wait()
    q = sorted(lat)
    print("%-20s API p50 %8.1f ms  p90 %8.1f ms  (%d reads)  /risks answers %s"
          % (" ".join(extra) or "defaults", 1000 * statistics.median(q),
             1000 * q[int(len(q) * 0.9)], len(q), codes), flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    dur = float(sys.argv[5]) if len(sys.argv) > 5 else 60
    run(*sys.argv[1:5], ["--read-rate", "0"], dur)
    run(*sys.argv[1:5], [], dur)
