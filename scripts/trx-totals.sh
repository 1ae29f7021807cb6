#!/usr/bin/env bash
# Sums the counters of the TRX reports in a folder: prints "passed failed skipped".
cat "$1"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' |
  awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/"/, "", kv[2]);
           if (kv[1] == "passed") p += kv[2]; if (kv[1] == "failed") f += kv[2]; if (kv[1] == "error") f += kv[2];
           # A skipped test is counted in total but not in executed (VSTest leaves notExecuted at 0).
           if (kv[1] == "total") s += kv[2]; if (kv[1] == "executed") s -= kv[2] } }
       END { printf "%d %d %d\n", p, f, s }'
