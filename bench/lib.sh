# Sourced by the bench scripts: one way to build and find what they run.

# The workspace's target directory (CARGO_TARGET_DIR or ./target).
target_dir() {
  cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'
}

# Builds the release server and prints its path.
server_bin() {
  cargo build --release --locked -p abdi-server >&2
  echo "$(target_dir)/release/abdi-server"
}

# Builds the benchmark BENCH of PACKAGE (release) and prints its executable.
bench_bin() {
  local package="$1" bench="$2"
  cargo bench --locked -p "$package" --bench "$bench" --no-run >&2
  cargo bench --locked -p "$package" --bench "$bench" --no-run --message-format=json 2>/dev/null \
    | BENCH="$bench" python3 -c 'import json,os,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == os.environ["BENCH"] and m.get("executable"):
        print(m["executable"])'
}
