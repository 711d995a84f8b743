#!/usr/bin/env bash
# A first produce-throughput comparison, Sluice vs Apache Kafka 4.4.0 (issue #4, "Figures"). The
# full side-by-side harness lives in bench/; this is the quick one from the server issue.
#
# Starts both brokers (single node, combined mode, 1 partition per topic), then runs a
# kafka-producer-perf-test-style client (io.sluice.server.it.ProducePerf: 1 KiB records, linger 5 ms,
# batch 64 KiB) ROUNDS times per acks setting, alternating Sluice and Kafka so background load hits
# both alike. Per run: records/s, MB/s, broker CPU seconds (utime+stime from /proc) and broker
# CPU-seconds per GB, broker RSS and anonymous RSS (Sluice's RSS also counts the mapped segment
# pages it touched; Kafka's page cache is not in its RSS).
#
# Usage: server/perf/first-produce-comparison.sh [records=200000] [rounds=3]
# Needs: a built server (bin/sluice start builds it; or mvn -DskipTests -pl server -am package),
# test classes (mvn -pl server -am test-compile), Maven access to fetch kafka_2.13 4.4.0 once.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N=${1:-200000}
ROUNDS=${2:-3}
WORK=$(mktemp -d /tmp/sluice-vs-kafka.XXXXXX)
SPORT=${SLUICE_PORT:-39092}
KPORT=${KAFKA_PORT:-39192}
trap 'kill $SPID $KPID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Kafka 4.4.0's classpath from Maven Central (kafka_2.13 + kafka-tools).
cat > "$WORK/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>x</groupId><artifactId>kafka-cp</artifactId><version>1</version><dependencies>
<dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>4.4.0</version></dependency>
<dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>4.4.0</version></dependency>
</dependencies></project>
POM
(cd "$WORK" && mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile="$WORK/kafka.cp" > /dev/null)
KCP=$(cat "$WORK/kafka.cp")

mkdir -p "$WORK/kafka" "$WORK/sluice"
cat > "$WORK/kafka/server.properties" <<P
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:$((KPORT+1))
listeners=PLAINTEXT://localhost:$KPORT,CONTROLLER://localhost:$((KPORT+1))
advertised.listeners=PLAINTEXT://localhost:$KPORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$WORK/kafka/logs
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
P
java -cp "$KCP" kafka.tools.StorageTool format -t "$(java -cp "$KCP" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
  -c "$WORK/kafka/server.properties" >/dev/null 2>&1
# Kafka's own defaults from kafka-server-start.sh: 1 GB heap, G1.
java -Xmx1G -Xms1G -XX:+UseG1GC -cp "$KCP" kafka.Kafka "$WORK/kafka/server.properties" > "$WORK/kafka/out.log" 2>&1 &
KPID=$!

cat > "$WORK/sluice/server.properties" <<P
node.id=1
listeners=PLAINTEXT://localhost:$SPORT,CONTROLLER://localhost:$((SPORT+1))
log.dirs=$WORK/sluice/logs
metadata.log.dir=$WORK/sluice/metadata
P
FLAGS=$(sed -n 's/^sluice\.jvm\.flags=//p' "$ROOT/config/jvm-flags.properties")
# bin/sluice's defaults: 512 MB heap, G1.
# shellcheck disable=SC2086
java $FLAGS -Xms256m -Xmx512m -XX:+UseG1GC -cp "$ROOT/server/target/sluice-server-0.1.0-SNAPSHOT.jar:$ROOT/server/target/lib/*" \
  io.sluice.server.Main start "$WORK/sluice/server.properties" > "$WORK/sluice/out.log" 2>&1 &
SPID=$!

for i in $(seq 1 120); do
  if grep -q "Sluice broker 1 started" "$WORK/sluice/out.log" && (echo > /dev/tcp/localhost/$KPORT) 2>/dev/null; then break; fi
  sleep 1
done

PCP="$ROOT/server/target/test-classes:$ROOT/server/target/lib/*"
tick=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
for round in $(seq 1 "$ROUNDS"); do
  for acks in 1 all; do
    for b in "sluice:$SPORT:$SPID" "kafka:$KPORT:$KPID"; do
      IFS=: read -r name port pid <<< "$b"
      c0=$(cpu "$pid")
      r=$(java -cp "$PCP" io.sluice.server.it.ProducePerf "localhost:$port" "perf-$acks-$round" "$N" 1024 "$acks" 2>/dev/null | grep records=)
      c1=$(cpu "$pid")
      rss=$(ps -o rss= -p "$pid"); anon=$(awk '/RssAnon/{print $2}' "/proc/$pid/status")
      cpus=$(echo "scale=2; ($c1-$c0)/$tick" | bc)
      gb=$(echo "scale=6; $N*1024/1073741824" | bc)
      echo "$name round=$round $r broker_cpu_s=$cpus cpu_s_per_GB=$(echo "scale=1; $cpus/$gb" | bc)" \
        "rss_MB=$((rss/1024)) rss_anon_MB=$((anon/1024))"
    done
  done
done
