//! A private PostgreSQL cluster on its own port, which a test may stop (fast or immediate),
//! start again or rob of its connections without disturbing the shared one.
//!
//! PostgreSQL refuses to run as root; when the tests run as root (CI, containers), the cluster
//! belongs to an unprivileged system user, `abdi-pg`, created here on first use, and every
//! PostgreSQL command runs as that user through `runuser`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Mutex;

/// The unprivileged user a root test runs PostgreSQL as.
pub const PG_USER: &str = "abdi-pg";

pub struct PostgresServer {
    pub port: u16,
    bin: PathBuf,
    /// Runs PostgreSQL as this user (when the tests run as root).
    user: Option<&'static str>,
    dir: tempfile::TempDir,
}

impl PostgresServer {
    /// A new cluster (`initdb`, trust authentication, superuser `postgres`), started and
    /// answering on 127.0.0.1 at a free port.
    pub fn start() -> PostgresServer {
        let bin = bin_dir();
        let user = if is_root() {
            ensure_user();
            Some(PG_USER)
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("abdi-pg-")
            .tempdir()
            .expect("a temporary folder");
        if let Some(user) = user {
            run(Command::new("chown")
                .arg(format!("{user}:"))
                .arg(dir.path()));
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let server = PostgresServer {
            port,
            bin,
            user,
            dir,
        };
        let data = server.data();
        server.pg(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "--auth=trust".as_ref(),
                "--no-sync".as_ref(),
                "--no-instructions".as_ref(),
            ],
        );
        server.start_again();
        server
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("log")
    }

    /// Starts the (stopped) cluster on its port and waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.path().display()
        );
        let (data, log) = (self.data(), self.log());
        self.pg(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-o".as_ref(),
                options.as_ref(),
                "-l".as_ref(),
                log.as_os_str(),
                "-w".as_ref(),
                "-t".as_ref(),
                "30".as_ref(),
                "start".as_ref(),
            ],
        );
    }

    /// `pg_ctl stop -m MODE` (`fast`: sessions end with 57P01 admin_shutdown and a checkpoint
    /// is written; `immediate`: every process quits at once, as in a crash), waiting until
    /// the server is gone.
    pub fn stop(&self, mode: &str) {
        let data = self.data();
        self.pg(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                mode.as_ref(),
                "-w".as_ref(),
                "-t".as_ref(),
                "30".as_ref(),
                "stop".as_ref(),
            ],
        );
    }

    /// Runs a PostgreSQL program (from the server's bin folder) as the cluster's owner.
    fn pg(&self, program: &str, args: &[&std::ffi::OsStr]) {
        let program = self.bin.join(program);
        let mut command = match self.user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        command.args(args).current_dir(self.dir.path());
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
        if !output.status.success() {
            panic!(
                "{} {:?} failed: {}\nserver log:\n{}",
                program.display(),
                args,
                describe(&output),
                std::fs::read_to_string(self.log()).unwrap_or_default()
            );
        }
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        // Whatever state the test left it in: stop it if it runs, ignore it if not.
        let program = self.bin.join("pg_ctl");
        let data = self.data();
        let mut command = match self.user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        let _ = command
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

/// Where `initdb` and `pg_ctl` live: `ABDI_TEST_PG_BIN`, else the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian's layout; they are not on PATH there).
fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("ABDI_TEST_PG_BIN") {
        return PathBuf::from(dir);
    }
    let newest = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .max_by_key(|(version, _)| *version);
    match newest {
        Some((_, bin)) => bin,
        None => panic!(
            "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql: install \
             Debian postgresql or set ABDI_TEST_PG_BIN"
        ),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn user_exists() -> bool {
    Command::new("id")
        .arg("-u")
        .arg(PG_USER)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Creates the system user `abdi-pg` once (idempotent, safe across parallel tests and
/// processes: a lost race leaves the user there all the same).
fn ensure_user() {
    static ONCE: Mutex<()> = Mutex::new(());
    let _guard = ONCE.lock().unwrap_or_else(|e| e.into_inner());
    if user_exists() {
        return;
    }
    let output = Command::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
        ])
        .arg(PG_USER)
        .output()
        .expect("useradd (Debian passwd) is needed to run PostgreSQL as non-root");
    assert!(
        user_exists(),
        "cannot create the user {PG_USER}: {}",
        describe(&output)
    );
}

fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        describe(&output)
    );
}

fn describe(output: &Output) -> String {
    format!(
        "{} {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
