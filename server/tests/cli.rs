//! The `abdi-server` binary as an operator meets it: help, clear one-line errors, the embedded
//! defaults, and a clean stop on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn abdi() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_abdi-server"));
    c.env_remove("ABDI_CONFIG");
    for (key, _) in std::env::vars() {
        if key.starts_with("ABDI__") {
            c.env_remove(key);
        }
    }
    c
}

/// Runs to completion and returns (success, stderr).
fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_explains_each_subcommand() {
    let out = abdi().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for sub in ["serve", "migrate", "seed", "openapi", "admin"] {
        assert!(help.contains(sub), "{sub} missing from --help");
    }
    assert!(help.contains("ABDI__"));
    let out = abdi().args(["seed", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in ["--employees", "--seed", "--accounts", "--reset"] {
        assert!(help.contains(flag), "{flag} missing from seed --help");
    }
}

#[test]
fn openapi_prints_the_document_without_a_database() {
    let out = abdi().args(["openapi"]).output().unwrap();
    assert!(out.status.success());
    let spec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    assert!(spec["paths"]["/api/v1/reference/ranks"].is_object());
}

#[test]
fn bad_configuration_is_one_line_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("abdi.toml");
    std::fs::write(&file, "[server]\nlisten = \"127.0.0.1:0\"\nworkers = 4\n").unwrap();
    let (ok, err) = run(abdi().arg("--config").arg(&file).arg("migrate"));
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("unknown key 'server.workers'"), "{err}");

    let (ok, err) = run(abdi().env("ABDI__DATABASE__URLL", "x").arg("migrate"));
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("unknown key 'database.urll'"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn a_database_that_is_down_is_one_line_without_the_password() {
    let (ok, err) = run(abdi()
        .env(
            "ABDI__DATABASE__URL",
            "postgres://abdi:hunter2@127.0.0.1:1/abdi",
        )
        .env("ABDI__DATABASE__CONNECT_TIMEOUT_SECS", "2")
        .arg("migrate"));
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cannot connect to the database at postgres://abdi:***@127.0.0.1:1/abdi"),
        "{err}"
    );
    assert!(!err.contains("hunter2"));
}

#[test]
fn a_bad_nip_in_the_seed_accounts_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.toml");
    std::fs::write(
        &accounts,
        "[[account]]\nnip = \"199013012015031001\"\nname = \"Andi\"\nemail = \"andi@jatimprov.go.id\"\n",
    )
    .unwrap();
    let (ok, err) = run(abdi()
        .current_dir(dir.path())
        .arg("seed")
        .arg("--accounts")
        .arg(&accounts));
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("account 1 (Andi): NIP '199013012015031001' is invalid: birth date 19901301"),
        "{err}"
    );
    assert!(
        !dir.path().join("data").exists(),
        "nothing is written before the input is checked"
    );
}

/// `serve` with no configuration: SQLite under ./data, in-process sessions, migrations applied;
/// ready answers; SIGTERM stops it cleanly.
#[test]
fn serve_runs_on_the_embedded_defaults_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = abdi()
        .current_dir(dir.path())
        // Port 0 instead of 8080 so tests never collide; everything else is the default.
        .env("ABDI__SERVER__LISTEN", "127.0.0.1:0")
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut addr = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let json: serde_json::Value = serde_json::from_str(&line).expect("logs are JSON lines");
        if json["message"] == "listening" {
            addr = json["addr"].as_str().map(str::to_owned);
            break;
        }
    }
    let addr = addr.expect("the server never said where it listens");
    assert!(dir.path().join("data/abdi.sqlite").exists());

    let deadline = Instant::now() + Duration::from_secs(10);
    let ready = loop {
        let out = Command::new("curl")
            .args(["-s", &format!("http://{addr}/health/ready")])
            .output()
            .unwrap();
        let body = String::from_utf8_lossy(&out.stdout).into_owned();
        if body.contains("\"ready\"") || Instant::now() > deadline {
            break body;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(ready.contains("\"status\":\"ready\""), "{ready}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    let mut said = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut said).unwrap();
    assert!(
        said.contains(
            "No administrator yet: abdi-server admin grant --nip NIP --role administrator"
        ),
        "a fresh install says how to make its first administrator: {said}"
    );
}

/// `admin grant|list|revoke` on a stopped server: the first administrator of a fresh install,
/// refusals in one line naming their code, and the history kept.
#[test]
fn the_first_administrator_is_made_from_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.toml");
    std::fs::write(
        &accounts,
        "[[account]]\nnip = \"198503122010011004\"\nname = \"Staf\"\nemail = \"staf@jatimprov.go.id\"\nunit = \"BKD-U001\"\n",
    )
    .unwrap();
    let (ok, err) = run(abdi()
        .current_dir(dir.path())
        .args(["seed", "--employees", "30", "--accounts"])
        .arg(&accounts));
    assert!(ok, "{err}");
    let admin = |args: &[&str]| {
        let out = abdi()
            .current_dir(dir.path())
            .arg("admin")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let grant = [
        "grant",
        "--nip",
        "198503122010011004",
        "--role",
        "administrator",
        "--decree",
        "800/1/204/2026",
        "--decree-date",
        "2026-06-30",
    ];
    let (ok, out, err) = admin(&grant);
    assert!(ok, "{err}");
    assert!(
        out.contains("198503122010011004") && out.contains("from the console"),
        "{out}"
    );
    let (ok, _, err) = admin(&grant);
    assert!(!ok);
    let said: Vec<&str> = err.lines().filter(|l| !l.starts_with('{')).collect();
    assert_eq!(said.len(), 1, "one line besides the logs: {err}");
    assert!(said[0].contains("grant_conflict"), "{err}");
    let (ok, _, err) = admin(&[
        "grant",
        "--nip",
        "123",
        "--role",
        "administrator",
        "--decree",
        "1",
        "--decree-date",
        "2026-06-30",
    ]);
    assert!(!ok);
    assert!(err.contains("NIP tidak valid / invalid NIP"), "{err}");
    let (ok, out, _) = admin(&["list"]);
    assert!(ok);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains("administrator") && out.contains("active"),
        "{out}"
    );
    let (ok, out, err) = admin(&[
        "revoke",
        "--nip",
        "198503122010011004",
        "--role",
        "administrator",
        "--reason",
        "pensiun",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("revoked"), "{out}");
    let (_, out, err) = admin(&["list"]);
    assert!(
        out.is_empty() && err.contains("No grants in force"),
        "{out} {err}"
    );
    let (_, out, _) = admin(&["list", "--all"]);
    assert!(out.contains("revoked"), "the history stays: {out}");
}

/// `pki init`, `documents sample`, `documents verify` and `documents sign` as an operator runs
/// them: the sample verifies (exit 0), a tampered copy does not (exit 1), a second `pki init`
/// refuses to overwrite the key, and a PDF signed twice keeps both signatures intact.
#[test]
fn documents_are_signed_and_verified_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    let with_dir = |c: &mut Command| {
        c.current_dir(dir.path())
            .env("ABDI__DOCUMENTS__LOCAL_DIR", &pki);
    };
    let mut init = abdi();
    with_dir(&mut init);
    let out = init
        .args([
            "pki",
            "init",
            "--algorithm",
            "rsa2048",
            "--signer-name",
            "Drs. Ṣuryanto",
            "--signer-nip",
            "197001012000031001",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["root.pem", "intermediate.pem", "chain.pem", "key.pem"] {
        assert!(pki.join(f).exists(), "{f}");
    }
    let mut again = abdi();
    with_dir(&mut again);
    let (ok, err) = run(again.args(["pki", "init"]));
    assert!(!ok && err.contains("already holds a signing key"), "{err}");

    let sample = dir.path().join("sample.pdf");
    let mut cmd = abdi();
    with_dir(&mut cmd);
    let (ok, err) = run(cmd.args(["documents", "sample"]).arg(&sample));
    assert!(ok, "{err}");

    let verify = |file: &std::path::Path| {
        let mut cmd = abdi();
        with_dir(&mut cmd);
        let out = cmd
            .args(["documents", "verify"])
            .arg(file)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = verify(&sample);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.starts_with("INTACT")
            && out.contains("Drs. Ṣuryanto, NIP 197001012000031001")
            && out.contains("RSA-SHA256"),
        "{out}"
    );

    let mut bytes = std::fs::read(&sample).unwrap();
    let at = bytes.windows(8).position(|w| w == b"/MediaBo").unwrap();
    bytes[at + 1] = b'm';
    let tampered = dir.path().join("tampered.pdf");
    std::fs::write(&tampered, bytes).unwrap();
    let (code, out) = verify(&tampered);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.starts_with("MODIFIED") && out.contains("digest_mismatch"),
        "{out}"
    );

    let twice = dir.path().join("twice.pdf");
    let mut cmd = abdi();
    with_dir(&mut cmd);
    let (ok, err) = run(cmd.args(["documents", "sign"]).arg(&sample).arg(&twice));
    assert!(ok, "{err}");
    let (code, out) = verify(&twice);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out.matches(": intact").count(), 2, "{out}");

    // Without the local root trusted, the same file is untrusted (exit 1).
    let mut cmd = abdi();
    cmd.current_dir(dir.path())
        .env("ABDI__DOCUMENTS__LOCAL_DIR", dir.path().join("elsewhere"));
    let out = cmd
        .args(["documents", "verify"])
        .arg(&sample)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("untrusted_root"));
}
