//! Timing statistics the benches print.

use std::time::Duration;

/// `d` in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `p` quantile (0 to 1, nearest rank) of `sorted` in milliseconds; 0 for no samples.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    ms(sorted[i])
}

/// Prints one line for `name`: how many in `elapsed`, the rate, p50, p99 and the maximum.
pub fn report(name: &str, mut times: Vec<Duration>, elapsed: Duration) {
    times.sort();
    println!(
        "{name}: {} in {:.1} s = {:.0}/s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        elapsed.as_secs_f64(),
        times.len() as f64 / elapsed.as_secs_f64(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().map_or(0.0, |t| ms(*t)),
    );
}

/// What wrk printed for one run.
pub struct Wrk {
    pub rate: f64,
    pub p50: String,
    pub p99: String,
    pub requests: u64,
    pub non_2xx: u64,
}

/// wrk on core 1 (the server under test is on core 0): one thread, `connections`, `seconds`,
/// latency percentiles, and the Lua `script` if any. The benches install wrk.
pub fn wrk(url: &str, connections: u32, seconds: u32, script: Option<&std::path::Path>) -> Wrk {
    let mut cmd = std::process::Command::new("taskset");
    cmd.args(["-c", "1", "wrk", "-t1", "--latency"])
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"));
    if let Some(s) = script {
        cmd.arg("-s").arg(s);
    }
    let out = cmd
        .arg(url)
        .output()
        .expect("wrk (the bench script installs it)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let rate = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or_else(|| panic!("wrk said: {text}"));
    let pct = |p: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(p))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_owned()
    };
    let requests = text
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| l.split_whitespace().find_map(|w| w.parse::<u64>().ok()))
        .unwrap_or(0);
    let non_2xx = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    Wrk {
        rate,
        p50: pct("50%"),
        p99: pct("99%"),
        requests,
        non_2xx,
    }
}
