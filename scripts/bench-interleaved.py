#!/usr/bin/env python3
"""Times commands run in turn, round after round, so that a machine whose speed
drifts (a shared VM) slows all of them alike; prints the median, mean and range
of each one's wall time and CPU time (user + system).

    scripts/bench-interleaved.py ROUNDS "COMMAND A" "COMMAND B" ...

Used for docs/performance.md, e.g. the build of a site with and without its
search index, or the current binary against an older one.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def run(command):
    start = time.perf_counter()
    before = os.times()
    subprocess.run(shlex.split(command), check=True, stdout=subprocess.DEVNULL)
    after = os.times()
    wall = time.perf_counter() - start
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    rounds, commands = int(sys.argv[1]), sys.argv[2:]
    for command in commands:  # warm the file cache
        run(command)
    times = {c: [] for c in commands}
    for _ in range(rounds):
        for command in commands:
            times[command].append(run(command))
    for command, xs in times.items():
        wall = [w for w, _ in xs]
        cpu = [c for _, c in xs]
        print(command)
        print(
            f"  wall: median {statistics.median(wall):.2f} s, mean {statistics.mean(wall):.2f} s, "
            f"range {min(wall):.2f} … {max(wall):.2f} s; "
            f"cpu: median {statistics.median(cpu):.2f} s, mean {statistics.mean(cpu):.2f} s ({rounds} rounds)"
        )


if __name__ == "__main__":
    main()
