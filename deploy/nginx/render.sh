#!/bin/sh
# Renders the nginx config for N gemma3 server replicas (see deploy/README.md). Writes it to stdout.
#
#   deploy/nginx/render.sh                                  # 2 replicas on 127.0.0.1:8081-8082, nginx on 127.0.0.1:8080
#   deploy/nginx/render.sh --replicas 4 --first-port 9001 --listen 0.0.0.0:80 > /etc/nginx/conf.d/gemma3.conf
#   deploy/nginx/render.sh --server 10.0.0.5:8080 --server 10.0.0.6:8080   # replicas on other hosts
#
# deploy/nginx/gemma3.conf is this script's output with the defaults.
set -eu

listen=127.0.0.1:8080
replicas=2
first_port=8081
host=127.0.0.1
servers=
fail_timeout=10s

usage() {
  cat >&2 <<'USAGE'
Usage: render.sh [--listen ADDR:PORT] [--replicas N] [--first-port P] [--host H]
                 [--server ADDR:PORT]... [--fail-timeout T]
  --listen ADDR:PORT  where nginx listens (default 127.0.0.1:8080)
  --replicas N        replicas on --host at ports P .. P+N-1 (default 2)
  --first-port P      port of the first replica (default 8081)
  --host H            address of the replicas (default 127.0.0.1)
  --server ADDR:PORT  one replica (repeat; replaces --replicas/--first-port/--host)
  --fail-timeout T    how long a replica that failed is left out (default 10s)
USAGE
  exit 2
}

need() { [ "$#" -ge 2 ] && [ -n "$2" ] || { echo "render.sh: $1 needs a value" >&2; usage; }; }
is_count() { case "$1" in '' | *[!0-9]*) return 1 ;; esac; [ "$1" -ge 1 ]; }

while [ "$#" -gt 0 ]; do
  case "$1" in
    --listen) need "$@"; listen=$2; shift 2 ;;
    --replicas) need "$@"; replicas=$2; shift 2 ;;
    --first-port) need "$@"; first_port=$2; shift 2 ;;
    --host) need "$@"; host=$2; shift 2 ;;
    --server) need "$@"; servers="$servers $2"; shift 2 ;;
    --fail-timeout) need "$@"; fail_timeout=$2; shift 2 ;;
    -h | --help) usage ;;
    *) echo "render.sh: unknown argument $1" >&2; usage ;;
  esac
done

is_count "$replicas" || { echo "render.sh: --replicas must be an integer >= 1, got $replicas" >&2; exit 2; }
is_count "$first_port" && [ $((first_port + replicas - 1)) -le 65535 ] ||
  { echo "render.sh: ports $first_port .. $((first_port + replicas - 1)) are not all valid" >&2; exit 2; }
if [ -z "$servers" ]; then
  i=0
  while [ "$i" -lt "$replicas" ]; do
    servers="$servers $host:$((first_port + i))"
    i=$((i + 1))
  done
fi
for s in $servers; do
  case "$s" in
    *:*[!0-9]* | *: | *[\;\{\}\ ]*) echo "render.sh: --server must be ADDR:PORT, got $s" >&2; exit 2 ;;
    *:*) ;;
    *) echo "render.sh: --server must be ADDR:PORT, got $s" >&2; exit 2 ;;
  esac
done
case "$fail_timeout" in
  *[!0-9smh]* | '') echo "render.sh: --fail-timeout must look like 10s, got $fail_timeout" >&2; exit 2 ;;
esac

cat <<CONF
# Gemma 3 server replicas behind nginx (http{} level: /etc/nginx/conf.d/gemma3.conf on Debian).
# Rendered by deploy/nginx/render.sh; deploy/README.md explains each choice.

upstream gemma3_replicas {
    # Sticky by conversation: every turn of a conversation goes to the replica that holds its cached
    # prefix. Consistent hashing moves only ~1/N of the conversations when a replica joins or leaves.
    # A request without the header has an empty key, which nginx's hash balancing serves round robin.
    hash \$http_x_conversation_id consistent;

    # Passive health: a replica that refuses a connection, resets it or answers 503 (loading, draining)
    # is left out for fail_timeout, then tried again. Open-source nginx has no active health checks.
CONF
for s in $servers; do
  printf '    server %s max_fails=1 fail_timeout=%s;\n' "$s" "$fail_timeout"
done
cat <<CONF

    keepalive 16;
    keepalive_timeout 4s; # below node's 5 s keep-alive, so nginx never reuses a socket the replica closes
}

server {
    listen $listen;

    client_max_body_size 20m;     # the replicas' --max-body-bytes default (images come base64 encoded)
    client_body_buffer_size 1m;   # bodies are read whole before a replica is chosen (needed to retry them)

    location / {
        proxy_pass http://gemma3_replicas;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host \$host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto \$scheme;

        # Streamed answers (text/event-stream) reach the client token by token.
        proxy_buffering off;
        proxy_cache off;

        # Another replica gets the request only while nothing of the answer has been sent: connection
        # refused or reset, or a 503. Generation has no side effects, so POSTs are retried too.
        proxy_next_upstream error timeout http_503 non_idempotent;
        proxy_next_upstream_timeout 30s;
        proxy_connect_timeout 2s;
        proxy_send_timeout 60s;
        proxy_read_timeout 600s;   # a non-streamed answer comes in one piece at the end
    }
}
CONF
