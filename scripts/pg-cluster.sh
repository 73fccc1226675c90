#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster for tests (Debian 12's PostgreSQL 15 packages).
#
#   scripts/pg-cluster.sh start DIR   initdb into DIR/data (first time only), start it listening only on a Unix
#                                     socket in DIR, create the database `uketsuke`, and print ONE line on stdout:
#                                     postgresql://postgres@/uketsuke?host=DIR
#   scripts/pg-cluster.sh stop DIR    stop it (immediate); quiet and successful if it is not running.
#
# Local-socket connections are trusted (user `postgres`); nothing listens on TCP. The cluster's log is DIR/log.
# durability is off (fsync, synchronous_commit, full_page_writes): the data is for tests and thrown away.
# PG_CLUSTER_DURABLE=1 keeps it on, for a test that stops the server and expects every commit to survive.
# As root, initdb/pg_ctl run as the `postgres` OS user (initdb refuses root) and DIR is chowned to it.
# PG_CLUSTER_PORT picks the port number (default 5432; it only names the socket file, DIR/.s.PGSQL.<port>).
set -euo pipefail

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}

[[ $# -eq 2 ]] || usage
cmd=$1
port=${PG_CLUSTER_PORT:-5432}
[[ $port =~ ^[0-9]+$ ]] || { echo "pg-cluster: PG_CLUSTER_PORT must be a number" >&2; exit 2; }

# The PostgreSQL server binaries: pg_config's bindir if it has them, else the newest /usr/lib/postgresql/*/bin.
find_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir 2>/dev/null || true)
        if [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl ]]; then
            echo "$dir"
            return 0
        fi
    fi
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl ]]; then
        echo "$dir"
        return 0
    fi
    return 1
}

# Run a server-side command (initdb, pg_ctl) as the right OS user: ourselves, or `postgres` when we are root.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Percent-encode a string for use as a URL query value (keeps / so a socket path stays readable).
urlencode() {
    local s=$1 out='' c i
    local LC_ALL=C
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
            [A-Za-z0-9/._~-]) out+=$c ;;
            *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

# Quote a value as a postgresql.conf string literal.
conf_quote() {
    local s=${1//\\/\\\\}
    printf "'%s'" "${s//\'/\'\'}"
}

case $cmd in
    start)
        bindir=$(find_bindir) || {
            echo "pg-cluster: no PostgreSQL server binaries (pg_config --bindir, /usr/lib/postgresql/*/bin);" \
                "install postgresql-15" >&2
            exit 1
        }
        mkdir -p -- "$2"
        dir=$(cd -- "$2" && pwd -P)
        data=$dir/data
        log=$dir/log
        socket=$dir/.s.PGSQL.$port
        # A Unix socket path is limited to 107 bytes.
        if ((${#socket} > 107)); then
            echo "pg-cluster: socket path $socket is too long (> 107 bytes); use a shorter DIR" >&2
            exit 1
        fi
        if [[ $(id -u) -eq 0 ]]; then
            getent passwd postgres >/dev/null || {
                echo "pg-cluster: running as root needs a 'postgres' OS user (created by the postgresql package)" >&2
                exit 1
            }
            : >>"$log"
            chown postgres: "$dir" "$log"
            runuser -u postgres -- test -w "$dir" -a -x "$dir" || {
                echo "pg-cluster: user postgres cannot reach $dir (a parent directory is closed to it)" >&2
                exit 1
            }
        fi

        if [[ ! -f $data/PG_VERSION ]]; then
            as_owner "$bindir/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=reject \
                --encoding=UTF8 --locale=C --no-sync --no-instructions >>"$log" 2>&1 || {
                echo "pg-cluster: initdb failed, see $log:" >&2
                tail -n 20 "$log" >&2
                exit 1
            }
            {
                echo
                echo "# pg-cluster.sh: private test cluster, Unix socket only, no durability."
                echo "listen_addresses = ''"
                echo "unix_socket_directories = $(conf_quote "$dir")"
                echo "port = $port"
                if [[ ${PG_CLUSTER_DURABLE:-} != 1 ]]; then
                    echo "fsync = off"
                    echo "synchronous_commit = off"
                    echo "full_page_writes = off"
                fi
            } >>"$data/postgresql.conf"
        fi

        if ! as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
            as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null 2>&1 || {
                echo "pg-cluster: the server did not start, see $log:" >&2
                tail -n 20 "$log" >&2
                exit 1
            }
        fi

        ready=0
        for _ in $(seq 1 60); do
            if "$bindir/pg_isready" -q -h "$dir" -p "$port" -U postgres -d postgres; then
                ready=1
                break
            fi
            sleep 0.5
        done
        if ((ready == 0)); then
            echo "pg-cluster: the server is not accepting connections on $socket, see $log" >&2
            exit 1
        fi

        psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres)
        exists=$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'uketsuke'")
        if [[ $exists != 1 ]]; then
            "${psql[@]}" -c 'CREATE DATABASE uketsuke' >/dev/null
        fi

        url="postgresql://postgres@/uketsuke?host=$(urlencode "$dir")"
        [[ $port == 5432 ]] || url+="&port=$port"
        echo "$url"
        ;;
    stop)
        [[ -d $2 ]] || exit 0
        dir=$(cd -- "$2" && pwd -P)
        [[ -f $dir/data/postmaster.pid ]] || exit 0
        bindir=$(find_bindir) || exit 0
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
        ;;
    *)
        usage
        ;;
esac
