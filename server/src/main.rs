use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = abdi_server::cli::Cli::parse();
    match abdi_server::cli::run(cli).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            // One line an operator can act on; never a panic or a backtrace.
            eprintln!(
                "abdi-server: error: {}",
                abdi_server::store::db::one_line(&format!("{e:#}"))
            );
            ExitCode::FAILURE
        }
    }
}
