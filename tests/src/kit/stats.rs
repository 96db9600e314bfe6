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
