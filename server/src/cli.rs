//! The command line: `serve`, `migrate`, `seed`, `admin`, `openapi`; `pki` and `documents`
//! belong to the documents capability.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::agency::cli::AdminCommand;
use crate::clock::{SharedClock, SystemClock};
use crate::config::Config;
use crate::documents::cli::{DocumentsCommand, PkiCommand};
use crate::seed::{SeedOptions, run_seed};
use crate::startup::{Application, prepare_database, shutdown_signal};
use crate::store::db;

#[derive(Debug, Parser)]
#[command(
    name = "abdi-server",
    version,
    about = "Abdi: the service platform for Indonesian civil servants (ASN).",
    long_about = "Abdi: the service platform for Indonesian civil servants (ASN).\n\n\
Configuration comes from the embedded defaults (a SQLite file under ./data, in-process \
sessions, 127.0.0.1:8080), then the file given with --config, then ABDI__SECTION__KEY \
environment variables (e.g. ABDI__DATABASE__URL=postgres://...). Unknown keys are refused."
)]
pub struct Cli {
    /// A TOML configuration file (keys as in README's configuration table).
    #[arg(short, long, global = true, env = "ABDI_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server. Applies pending migrations first (database.migrate_on_start) and
    /// stops gracefully on SIGTERM or Ctrl-C, letting in-flight requests finish.
    Serve,
    /// Apply pending database migrations and load the shipped reference data (rank ladder,
    /// holiday calendars), then exit.
    Migrate,
    /// Fill the database with a deterministic synthetic province (units, positions, employees
    /// with valid NIPs and their histories). The same --seed gives the same data.
    Seed(SeedArgs),
    /// Print the OpenAPI 3.1 document (the same as GET /openapi.json) and exit; needs no
    /// database.
    Openapi,
    /// The local certificate authority (for trials and tests; production signs with BSrE).
    #[command(subcommand)]
    Pki(PkiCommand),
    /// Sign, verify and produce decision letters from the command line.
    #[command(subcommand)]
    Documents(DocumentsCommand),
    /// Import a SIASN/SIMPEG export (units.csv, posts.csv, employees.csv and the history files
    /// in DIR; the README lists them): reconcile it against the database, print the report,
    /// and unless --dry-run write what is new and changed. Importing the same files twice
    /// changes nothing.
    Import(ImportArgs),
    /// Roles by decree from the operator's console: make the first administrator, revoke,
    /// list. Works whether the server runs or not.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// Number of employees to generate.
    #[arg(long, default_value_t = 2_000)]
    pub employees: u32,
    /// Random seed: the same seed, count and --as-of date give the same data.
    #[arg(long, default_value_t = 73)]
    pub seed: u64,
    /// The date the data is generated as of (YYYY-MM-DD); today (UTC+7) by default.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// A TOML file of named accounts to include (nip, name, email, ...), e.g. for demos.
    #[arg(long, value_name = "FILE")]
    pub accounts: Option<PathBuf>,
    /// Delete existing master data first (otherwise a database with employees is refused).
    #[arg(long)]
    pub reset: bool,
    /// Also add about this many service requests (for benchmarks): leave requests with their
    /// chains, decided or waiting as a real agency's would be.
    #[arg(long, default_value_t = 0)]
    pub requests: u64,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The folder with the export's CSV files.
    pub dir: PathBuf,
    /// Reconcile and report only; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON (every change and refusal) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Rows per transaction.
    #[arg(long, default_value_t = 1_000)]
    pub batch: usize,
}

/// Runs a command; `Ok(false)` is a clean run with a negative answer (a document that is not
/// intact), which exits 1 without an error message.
pub async fn run(cli: Cli) -> anyhow::Result<bool> {
    if let Command::Openapi = cli.command {
        println!("{}", crate::http::openapi().to_pretty_json()?);
        return Ok(true);
    }
    let config = Config::load(cli.config.as_deref())?;
    // The console's answer is its stdout; its logs go to stderr.
    crate::telemetry::init_on(
        &config.log,
        matches!(cli.command, Command::Admin(_) | Command::Import(_)),
    );
    match cli.command {
        Command::Pki(cmd) => {
            crate::documents::cli::pki(&config, cmd)?;
            return Ok(true);
        }
        Command::Documents(cmd) => return crate::documents::cli::documents(&config, cmd).await,
        _ => {}
    }
    let clock: SharedClock = std::sync::Arc::new(SystemClock);
    match cli.command {
        Command::Serve => {
            let app = Application::build_with_clock(config, clock).await?;
            let today = app.state().clock.today();
            if crate::access::Access::administrators(&app.state().db, today)
                .await?
                .is_empty()
            {
                eprintln!(
                    "Belum ada administrator / No administrator yet: abdi-server admin grant \
                     --nip NIP --role administrator --decree NUMBER --decree-date YYYY-MM-DD"
                );
            }
            app.run_until(shutdown_signal()).await?;
        }
        Command::Import(args) => {
            let db = db::connect(&config.database).await?;
            prepare_database(&db, &clock).await?;
            let options = crate::import::ImportOptions {
                dry_run: args.dry_run,
                progress: !args.json,
                batch: args.batch,
                email_domains: config.identity.allowed_email_domains.clone(),
            };
            let export = crate::import::Export::from_dir(&args.dir)?;
            let report = crate::import::run(&db, &export, &options, clock.now()).await?;
            if !args.dry_run {
                // The public statistics follow an import, on every instance (they read the
                // newest snapshot).
                // The import is in either way: a refresh that fails is told, not fatal (the daily
                // one follows).
                if let Err(e) = crate::sharing::statistics::Published::new(
                    db.clone(),
                    clock.clone(),
                    &config.sharing,
                )
                .refresh("import")
                .await
                {
                    eprintln!("statistik tidak diperbarui / statistics not refreshed: {e}");
                }
            }
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{report}");
            }
            return Ok(report.refused.is_empty());
        }
        Command::Admin(cmd) => {
            let db = db::connect(&config.database).await?;
            prepare_database(&db, &clock).await?;
            crate::agency::cli::run(db, clock, cmd).await?;
        }
        Command::Migrate => {
            let db = db::connect(&config.database).await?;
            prepare_database(&db, &clock).await?;
            tracing::info!("migrations applied");
        }
        Command::Seed(args) => {
            let accounts = args
                .accounts
                .as_deref()
                .map(crate::seed::accounts::load)
                .transpose()?;
            let db = db::connect(&config.database).await?;
            prepare_database(&db, &clock).await?;
            let options = SeedOptions {
                employees: args.employees,
                seed: args.seed,
                as_of: args.as_of.unwrap_or_else(|| clock.today()),
                accounts: accounts.unwrap_or_default(),
                reset: args.reset,
                progress: true,
            };
            let report = run_seed(&db, &options, clock.now()).await?;
            eprintln!("{report}");
            if args.requests > 0 {
                let report = crate::seed::requests::seed_requests(
                    &db,
                    args.requests,
                    options.seed,
                    options.as_of,
                )
                .await?;
                eprintln!("{report}");
            }
        }
        Command::Openapi | Command::Pki(_) | Command::Documents(_) => {}
    }
    Ok(true)
}
