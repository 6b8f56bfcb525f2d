#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft: broker + controller) on 127.0.0.1, from the official jars
# on Maven Central. Usage: deploy/kafka.sh fetch|up|down|status
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_MAX_MESSAGE_BYTES
# (2097152, as the services' setting of the same name), BAYANAT_CACHE (jar cache,
# ~/.cache/bayanat), BAYANAT_VAR (state and logs, <repo>/var).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")
cache=${BAYANAT_CACHE:-$HOME/.cache/bayanat}
jars="$cache/kafka-$kafka_version/libs"
var=${BAYANAT_VAR:-$root/var}
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-9093}
max_message_bytes=${KAFKA_MAX_MESSAGE_BYTES:-2097152}
state="$var/kafka-$port"
pidfile="$state/kafka.pid"
log="$state/kafka.log"
python=${PYTHON:-}
if [ -z "$python" ]; then
  if [ -x "$root/.venv/bin/python" ]; then python="$root/.venv/bin/python"; else python=python3; fi
fi

fetch() {
  if [ -f "$jars/.complete" ]; then return 0; fi
  echo "kafka: fetching Apache Kafka $kafka_version jars into $jars"
  rm -rf "$jars" && mkdir -p "$jars"
  mvn -q -B -f "$here/kafka/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DoutputDirectory="$jars" -DincludeScope=runtime
  touch "$jars/.complete"
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# Ready means a client's metadata request succeeds, not merely an open port.
wait_ready() {
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-90}))
  until "$python" "$here/kafka_ready.py" "127.0.0.1:$port" >/dev/null 2>&1; do
    if ! running; then echo "kafka: broker exited during start-up, see $log" >&2; tail -30 "$log" >&2; return 1; fi
    if [ $SECONDS -ge $deadline ]; then echo "kafka: not ready after timeout, see $log" >&2; return 1; fi
    sleep 1
  done
}

write_config() {
  mkdir -p "$state/data"
  cat > "$state/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$state/data
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.retention.hours=-1
# The log cleaner's buffer (128 MiB by default) must fit a small heap: tests start brokers with
# 256 MiB, and a restart that cannot allocate it stops the broker.
log.cleaner.dedupe.buffer.size=16777216
# The largest record: the same as the services' KAFKA_MAX_MESSAGE_BYTES.
message.max.bytes=$max_message_bytes
replica.fetch.max.bytes=$max_message_bytes
PROPS
  cat > "$state/log4j.properties" <<PROPS
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$state/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
PROPS
}

up() {
  fetch
  if running; then echo "kafka: already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; return 0; fi
  rm -f "$pidfile"  # stale
  # A broker this checkout did not start (another checkout's, a system service): use it, and
  # leave it alone on "down", which stops only the broker of this checkout's pid file.
  if "$python" "$here/kafka_ready.py" "127.0.0.1:$port" >/dev/null 2>&1; then
    echo "kafka: a broker already answers on 127.0.0.1:$port; using it"
    return 0
  fi
  write_config
  if [ ! -f "$state/data/meta.properties" ]; then
    # A cluster id is URL-safe base64 and may begin with "-": given as "--cluster-id=…", the
    # formatter never takes it for an option (one start in 64 failed with "-t <id>").
    java -cp "$jars/*" -Dlog4j.configuration="file:$state/log4j.properties" \
      kafka.tools.StorageTool format --cluster-id="$(cat "$state/cluster-id" 2>/dev/null || "$python" -c 'import base64,uuid;print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))' | tee "$state/cluster-id")" \
      -c "$state/server.properties" --ignore-formatted >>"$log" 2>&1 \
      || { echo "kafka: formatting the storage failed, see $log" >&2; tail -30 "$log" >&2; return 1; }
  fi
  nohup java ${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m} -cp "$jars/*" \
    -Dlog4j.configuration="file:$state/log4j.properties" \
    kafka.Kafka "$state/server.properties" >>"$log" 2>&1 &
  echo $! > "$pidfile"
  if ! wait_ready; then down >/dev/null; return 1; fi
  echo "kafka: ready on 127.0.0.1:$port (pid $(cat "$pidfile"), logs in $state)"
}

down() {
  if ! running; then rm -f "$pidfile"; echo "kafka: no broker started by this checkout"; return 0; fi
  local pid; pid=$(cat "$pidfile")
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$pidfile"
  echo "kafka: stopped"
}

status() {
  if running; then echo "kafka: running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; else echo "kafka: not running"; return 1; fi
}

case "${1:-}" in
  fetch) fetch ;;
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 fetch|up|down|status" >&2; exit 2 ;;
esac
