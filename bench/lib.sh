# Sourced by the bench scripts: one way to build and find what they run.
#
# The server and every benchmark are built in the release profile with the features of the
# test crate (which links the server), so one build of the dependencies serves them all.

# The workspace's target directory (CARGO_TARGET_DIR or ./target).
target_dir() {
  cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'
}

# The executable NAME that `cargo build --release ARGS...` makes.
release_executable() {
  local name="$1"
  shift
  cargo build --release --locked "$@" >&2
  cargo build --release --locked "$@" --message-format=json 2>/dev/null \
    | NAME="$name" python3 -c 'import json,os,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == os.environ["NAME"] and m.get("executable"):
        print(m["executable"])'
}

# Builds the release server and prints its path.
server_bin() {
  release_executable abdi-server -p abdi-server -p abdi-tests --bin abdi-server
}

# Builds the benchmark BENCH (of the server or the test crate; release) and prints its
# executable.
bench_bin() {
  release_executable "$1" -p abdi-server -p abdi-tests --bench "$1"
}
