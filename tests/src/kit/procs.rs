//! The processes a bench runs: the servers it starts (stopped however it ends), waiting until
//! one is up and then idle, and the CPU each process used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The child servers, stopped however the bench ends.
pub struct Servers(pub Vec<(&'static str, Child)>);

impl Servers {
    /// Stops the server `name` with SIGTERM (draining, as in production), killing it after 40 s.
    pub fn stop(&mut self, name: &str) {
        if let Some(i) = self.0.iter().position(|(n, _)| *n == name) {
            let (_, mut child) = self.0.remove(i);
            // SIGTERM: the server drains and stops as it does in production.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(40);
            while Instant::now() < deadline {
                if child.try_wait().ok().flatten().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        for (_, child) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Waits until the process `pid` is idle (under 5% of a core over a second, at most a
/// minute): a server that just started runs its start-up work (the daily reminders over every
/// employee) and would be measured against itself.
pub fn settle(pid: u32) {
    let ticks = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| process_ticks(&s).map(|(_, t)| t))
            .unwrap_or(0)
    };
    for _ in 0..60 {
        let before = ticks();
        std::thread::sleep(Duration::from_secs(1));
        // 100 ticks a second is a whole core.
        if ticks().saturating_sub(before) < 5 {
            return;
        }
    }
}

/// Waits until `url` answers 200.
pub async fn until_up(url: &str) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if client
            .get(url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} did not come up");
}

/// CPU ticks (user and system, 100 a second) used so far by every process, by its name.
pub fn cpu_ticks() -> BTreeMap<String, u64> {
    let mut by = BTreeMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        if let Some((name, ticks)) = process_ticks(&stat) {
            *by.entry(name.to_owned()).or_default() += ticks;
        }
    }
    by
}

/// The CPU the processes whose names start with `prefix` used since `before` (a
/// [`cpu_ticks`] reading) over `over`, in cores (CPU seconds per second).
pub fn cores_since(before: &BTreeMap<String, u64>, over: Duration, prefix: &str) -> f64 {
    cpu_ticks()
        .iter()
        .filter(|(n, _)| n.starts_with(prefix))
        .map(|(n, t)| t.saturating_sub(before.get(n).copied().unwrap_or(0)))
        .sum::<u64>() as f64
        / 100.0
        / over.as_secs_f64()
}

/// A process's name and its CPU ticks (user and system) from its `/proc/PID/stat`.
pub fn process_ticks(stat: &str) -> Option<(&str, u64)> {
    let (head, rest) = stat.rsplit_once(')')?;
    let name = head.split_once('(').map_or("", |(_, n)| n);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok());
    Some((name, field(11)? + field(12)?))
}

/// An Abdi deployment a bench serves: the release binary, its database and Redis key prefix,
/// and a folder for its objects and logs.
pub struct Deployment {
    pub server: PathBuf,
    pub database_url: String,
    pub redis_prefix: String,
    pub dir: PathBuf,
}

impl Deployment {
    /// Serves it on core 0 at `port`, logging at `level` into `dir/abdi-LEVEL.log`; no rate
    /// limit on logins (a bench logs in far more often than an address or account may).
    pub fn serve(&self, port: u16, level: &str) -> Child {
        let log = std::fs::File::create(self.dir.join(format!("abdi-{level}.log"))).unwrap();
        Command::new("taskset")
            .args(["-c", "0"])
            .arg(&self.server)
            .arg("serve")
            .env("ABDI__SERVER__LISTEN", format!("127.0.0.1:{port}"))
            .env("ABDI__DATABASE__URL", &self.database_url)
            .env("ABDI__SESSIONS__BACKEND", "redis")
            .env("ABDI__SESSIONS__REDIS_URL", crate::redis_url())
            .env("ABDI__SESSIONS__KEY_PREFIX", &self.redis_prefix)
            .env("ABDI__STORAGE__PATH", self.dir.join("objects"))
            .env("ABDI__LOG__LEVEL", level)
            .env("ABDI__IDENTITY__LOGIN_PER_IP", u32::MAX.to_string())
            .env("ABDI__IDENTITY__LOGIN_PER_ACCOUNT", u32::MAX.to_string())
            .stdout(log)
            .stderr(Stdio::inherit())
            .spawn()
            .expect("abdi-server")
    }

    /// Where its logs go.
    pub fn log(&self, level: &str) -> PathBuf {
        Path::new(&self.dir).join(format!("abdi-{level}.log"))
    }
}
