#!/usr/bin/env bash
# Creates every yunlian topic (DESIGN.md section 2) with its partitions,
# replication and configs. Idempotent: existing topics are left in place
# (--if-not-exists) and their configs are converged with kafka-configs.sh, so
# running it again after a change of retention is safe.
#
# Usage:
#   create-topics.sh [--bootstrap-server host:port[,host:port]] [--command-config client.properties] [--dry-run]
#
# Environment (flags win):
#   BOOTSTRAP_SERVER        brokers (default localhost:9092)
#   KAFKA_COMMAND_CONFIG    client properties for TLS/SASL (security.protocol, sasl.jaas.config, ...)
#   KAFKA_BIN_DIR           directory of kafka-topics.sh / kafka-configs.sh (default: on PATH)
#   REPLICATION_FACTOR      default 3
#   MIN_INSYNC_REPLICAS     default 2: with acks=all a write survives the loss of one broker
#   INVOICE_PARTITIONS      default 12: the parallelism of ingest (per district feed)
#   LEG_PARTITIONS          default 12: the parallelism of detect (legs are keyed by enterprise)
#   SIGNAL_PARTITIONS       default 6: the parallelism of match and alerts
#
# Partition counts are the ceiling of each pipeline's consumer group: more
# processes than partitions sit idle. Choose them for the peak you expect;
# adding partitions later moves keys to other partitions (per-enterprise order
# breaks across the change), so this script never alters the count of an
# existing topic.
set -euo pipefail

BOOTSTRAP_SERVER="${BOOTSTRAP_SERVER:-localhost:9092}"
KAFKA_COMMAND_CONFIG="${KAFKA_COMMAND_CONFIG:-}"
KAFKA_BIN_DIR="${KAFKA_BIN_DIR:-}"
REPLICATION_FACTOR="${REPLICATION_FACTOR:-3}"
MIN_INSYNC_REPLICAS="${MIN_INSYNC_REPLICAS:-2}"
INVOICE_PARTITIONS="${INVOICE_PARTITIONS:-12}"
LEG_PARTITIONS="${LEG_PARTITIONS:-12}"
SIGNAL_PARTITIONS="${SIGNAL_PARTITIONS:-6}"
DRY_RUN=false

while [[ $# -gt 0 ]]; do
  case "$1" in
    --bootstrap-server) BOOTSTRAP_SERVER="$2"; shift 2 ;;
    --command-config) KAFKA_COMMAND_CONFIG="$2"; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "create-topics: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

KAFKA_TOPICS="${KAFKA_BIN_DIR:+${KAFKA_BIN_DIR%/}/}kafka-topics.sh"
KAFKA_CONFIGS="${KAFKA_BIN_DIR:+${KAFKA_BIN_DIR%/}/}kafka-configs.sh"
CLIENT_ARGS=(--bootstrap-server "$BOOTSTRAP_SERVER")
if [[ -n "$KAFKA_COMMAND_CONFIG" ]]; then CLIENT_ARGS+=(--command-config "$KAFKA_COMMAND_CONFIG"); fi

DAY_MS=86400000

run() {
  if $DRY_RUN; then echo "$*"; else "$@"; fi
}

# create_topic <name> <partitions> <cleanup.policy> <retention.ms> [extra key=value configs...]
create_topic() {
  local name="$1" partitions="$2" cleanup="$3" retention="$4"
  shift 4
  local configs=("min.insync.replicas=${MIN_INSYNC_REPLICAS}" "cleanup.policy=${cleanup}" "retention.ms=${retention}" "unclean.leader.election.enable=false" "$@")
  local config_args=()
  for c in "${configs[@]}"; do config_args+=(--config "$c"); done
  echo "create-topics: ${name} (${partitions} partitions, RF ${REPLICATION_FACTOR}, ${cleanup})" >&2
  run "$KAFKA_TOPICS" "${CLIENT_ARGS[@]}" --create --if-not-exists --topic "$name" \
    --partitions "$partitions" --replication-factor "$REPLICATION_FACTOR" "${config_args[@]}"
  # A topic that already existed keeps its old configs unless we converge them.
  local joined
  joined="$(IFS=,; echo "${configs[*]}")"
  run "$KAFKA_CONFIGS" "${CLIENT_ARGS[@]}" --alter --entity-type topics --entity-name "$name" --add-config "$joined"
}

# District invoice feeds: key = invoice_no. Kept 30 days so a replay or a
# backtest can re-read a month; the district systems stay the source of truth.
for district in qingpu jiashan wujiang; do
  create_topic "yunlian.invoices.${district}" "$INVOICE_PARTITIONS" delete $((30 * DAY_MS))
done

# Internal repartition by enterprise (key = tax_id): derived from the feeds, 7 days.
create_topic yunlian.invoice-legs "$LEG_PARTITIONS" delete $((7 * DAY_MS))

# Opened and resolved signals and match lists, keyed by enterprise. Not
# compacted: an enterprise can have several signals and match lists open at
# once, and compaction by enterprise would drop all but the newest.
create_topic yunlian.disruptions "$SIGNAL_PARTITIONS" delete $((90 * DAY_MS))
create_topic yunlian.matches "$SIGNAL_PARTITIONS" delete $((90 * DAY_MS))

# Dead letters (original bytes + x-dlq.* headers): kept a year, long enough to
# investigate, fix and re-drive them.
create_topic yunlian.dlq 3 delete $((365 * DAY_MS))

# Changelog topics: the newest value per key is the state, so they are
# compacted and never expire. The Schema Registry's store is one; creating it
# here (instead of letting the registry do it) pins RF and min.insync.replicas.
# The registry requires exactly one partition.
create_topic _schemas 1 compact -1

echo "create-topics: done" >&2
