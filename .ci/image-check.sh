#!/usr/bin/env bash
# The production image's path, without Docker, so it cannot rot unseen:
#   build stage:   the files the Dockerfile COPYs (and nothing else), the dev install, `npm run build`;
#   runtime stage: its COPYs, `npm ci --omit=dev` from the lock file, dist/ from the build stage, the CLI link;
#   then the image's CMD boots against the local PostgreSQL and Redis (a throwaway database and key prefix, removed
#   afterwards), the image's HEALTHCHECK must pass, the CLI must work without TypeScript, and STOPSIGNAL must exit 0.
# Every instruction of the Dockerfile is read here; one this script does not know how to mirror fails the check.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
start=$(date +%s)
say() { printf '  image-check (%ss): %s\n' "$(( $(date +%s) - start ))" "$*"; }
fail() { printf 'image-check: %s\n' "$*" >&2; exit 1; }

PG_BASE=${IMAGE_CHECK_POSTGRES:-postgres://postgres@127.0.0.1:5432}
REDIS_URL=${IMAGE_CHECK_REDIS:-redis://127.0.0.1:6379}
run_id="sb_image_check_$(date +%s)_$$"
work=$(mktemp -d "${TMPDIR:-/tmp}/sb-image-check.XXXXXX")
app_pid=""
cleanup() {
  if [ -n "$app_pid" ]; then kill -KILL "$app_pid" 2>/dev/null || true; fi
  psql "$PG_BASE/postgres" -qXc "DROP DATABASE IF EXISTS \"$run_id\" WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -u "$REDIS_URL" --scan --pattern "$run_id:*" 2>/dev/null | xargs -r redis-cli -u "$REDIS_URL" unlink >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The instructions of one stage, comments dropped and continuation lines joined.
stage() {
  awk -v want="$1" '
    /^[[:space:]]*#/ { next }
    { line = line $0 }
    /\\$/ { sub(/\\$/, "", line); next }
    {
      if (line ~ /^FROM /) { n = split(line, w, /[ \t]+/); cur = tolower(w[n]) }
      else if (cur == want && line ~ /[^ \t]/) print line
      line = ""
    }' Dockerfile
}

ignored_by_dockerignore() {
  [ -f .dockerignore ] || return 1
  local pattern
  while IFS= read -r pattern; do
    case "$pattern" in ''|'#'*) continue ;; esac
    # shellcheck disable=SC2053 # the pattern is a glob on purpose
    if [[ "$1" == $pattern || "$1" == $pattern/* ]]; then return 0; fi
  done < .dockerignore
  return 1
}

# COPY with Docker's rules: a directory's contents go into the destination; several sources need a folder.
# $1: the stage's root (its WORKDIR /app); $2: the build stage's root (for --from=build); then the COPY arguments.
copy() {
  local root=$1 build_root=$2; shift 2
  local from=""
  if [[ "$1" == --from=* ]]; then from=${1#--from=}; shift; fi
  local args=("$@") dest=${args[-1]}
  unset 'args[-1]'
  local target
  case "$dest" in /app|/app/*) target="$root/${dest#/app}" ;; /*) fail "COPY to $dest (outside /app) is not mirrored" ;; *) target="$root/$dest" ;; esac
  local src path
  for src in "${args[@]}"; do
    if [ -n "$from" ]; then
      [ "$from" = build ] || fail "COPY --from=$from is not mirrored"
      [[ "$src" == /app/* ]] || fail "COPY --from=build $src: expected a path under /app"
      path="$build_root/${src#/app/}"
    else
      ignored_by_dockerignore "$src" && fail "COPY $src: .dockerignore excludes it from the build context"
      path="$repo/$src"
    fi
    [ -e "$path" ] || fail "COPY ${from:+--from=$from }$src: no such file or folder"
    if [ -d "$path" ]; then
      mkdir -p "$target" && cp -R "$path/." "$target/"
    elif [[ "$dest" == */ || ${#args[@]} -gt 1 ]]; then
      mkdir -p "$target" && cp "$path" "$target/"
    else
      mkdir -p "$(dirname "$target")" && cp "$path" "$target"
    fi
  done
}

build="$work/build" app="$work/app" bin="$work/bin"
mkdir -p "$build" "$app" "$bin"
declare -a image_env=() cmd=()
healthcheck="" stopsignal=TERM

say "build stage"
while read -r instruction rest; do
  case "$instruction" in
    WORKDIR) [ "$rest" = /app ] || fail "build stage: WORKDIR $rest (expected /app)" ;;
    COPY) read -r -a words <<< "$rest"; copy "$build" "$build" "${words[@]}" ;;
    RUN)
      case "$rest" in
        'npm ci --no-audit --no-fund') ln -s "$repo/node_modules" "$build/node_modules" ;; # the dev install CI just made
        'npm run build') (cd "$build" && npm run -s build) < /dev/null ;;
        *) fail "build stage: RUN $rest is not mirrored; teach .ci/image-check.sh" ;;
      esac ;;
    *) fail "build stage: $instruction is not mirrored; teach .ci/image-check.sh" ;;
  esac
done < <(stage build)
[ -f "$build/dist/src/main.js" ] || fail "the build stage produced no dist/src/main.js"

say "runtime stage"
while read -r instruction rest; do
  case "$instruction" in
    WORKDIR) [ "$rest" = /app ] || fail "runtime stage: WORKDIR $rest (expected /app)" ;;
    ENV) image_env+=("$rest") ;;
    COPY) read -r -a words <<< "$rest"; copy "$app" "$build" "${words[@]}" ;;
    RUN)
      case "$rest" in
        'npm ci --omit=dev --no-audit --no-fund && npm cache clean --force')
          # the same install; the machine's npm cache is kept (and used first)
          (cd "$app" && npm ci --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error) < /dev/null ;;
        'ln -s /app/dist/src/cli.js /usr/local/bin/switchboard') ln -s "$app/dist/src/cli.js" "$bin/switchboard" ;;
        *) fail "runtime stage: RUN $rest is not mirrored; teach .ci/image-check.sh" ;;
      esac ;;
    USER|EXPOSE) ;;
    HEALTHCHECK) healthcheck=${rest#* CMD } ;;
    STOPSIGNAL) stopsignal=${rest#SIG} ;;
    CMD) mapfile -t cmd < <(node -e 'for (const a of JSON.parse(process.argv[1])) console.log(a)' "$rest") ;;
    *) fail "runtime stage: $instruction is not mirrored; teach .ci/image-check.sh" ;;
  esac
done < <(stage runtime)
[ ${#cmd[@]} -gt 0 ] || fail "the runtime stage has no CMD"
[ -n "$healthcheck" ] || fail "the runtime stage has no HEALTHCHECK"
[ ! -e "$app/node_modules/typescript" ] || fail "the production install contains typescript (a dev dependency)"

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
key=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')
runtime_env=(
  PATH="$bin:$PATH" HOME="$work" "${image_env[@]}"
  PORT="$port" DATABASE_URL="$PG_BASE/$run_id" REDIS_URL="$REDIS_URL" BULLMQ_PREFIX="$run_id"
  JWT_SECRET="image-check-$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')"
  ENCRYPTION_KEYS="ci1:$key" LOG_FORMAT=json
)

say "boot: ${cmd[*]} (PORT=$port)"
(cd "$app" && exec env -i "${runtime_env[@]}" "${cmd[@]}") > "$work/app.log" 2>&1 &
app_pid=$!
healthy=""
for _ in $(seq 1 180); do
  kill -0 "$app_pid" 2>/dev/null || { cat "$work/app.log" >&2; fail "the app exited during startup"; }
  if (cd "$app" && env -i "${runtime_env[@]}" sh -c "$healthcheck") >/dev/null 2>&1; then healthy=1; break; fi
  sleep 0.5
done
[ -n "$healthy" ] || { cat "$work/app.log" >&2; fail "HEALTHCHECK did not pass within 90 s"; }
say "healthy: $(grep -o '"msg":"listening on [^"]*"' "$work/app.log" || true)"

(cd "$app" && env -i "${runtime_env[@]}" switchboard create-admin --email image-check@example.com --password "image-check-password") \
  || fail "the switchboard CLI failed in the production install"

kill -"$stopsignal" "$app_pid"
code=0
wait "$app_pid" || code=$?
app_pid=""
[ "$code" -eq 0 ] || { cat "$work/app.log" >&2; fail "SIG$stopsignal: exit code $code (expected 0)"; }
say "ok: built from the Dockerfile's files, production install, healthy, CLI works, SIG$stopsignal exits 0"
