//! `abdi-server admin grant|revoke|list`: the operator's console. It makes the first
//! administrator of a fresh install, and mends an agency whose administrators are gone. It
//! talks to the database directly, so it works whether the server runs or not; each change is
//! kept in the history of decrees as coming from the console, and in the audit log.

use abdi_proto::agency::{NewRoleGrant, Role, RoleGrant, RoleRevocation, Standing};
use abdi_proto::{Lang, Nip};
use chrono::NaiveDate;
use clap::Subcommand;
use sea_orm::DatabaseConnection;

use super::AgencyError;
use super::decrees::{By, Decrees};
use crate::clock::SharedClock;
use crate::error::ApiError;
use crate::identity::audit::{AuditLog, Event, Origin};

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Grant a role by decree: `--role administrator` (the whole agency) or `--role
    /// fasilitator --unit CODE` (a unit and everything below it).
    Grant {
        #[arg(long)]
        nip: String,
        #[arg(long, value_parser = role)]
        role: Role,
        /// A fasilitator's unit code, e.g. DINKES.
        #[arg(long)]
        unit: Option<String>,
        /// The decree's number.
        #[arg(long)]
        decree: String,
        /// The decree's date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        decree_date: NaiveDate,
        /// In force from (the decree's date if not given).
        #[arg(long, value_name = "DATE")]
        from: Option<NaiveDate>,
        /// In force up to and including (open-ended if not given).
        #[arg(long, value_name = "DATE")]
        until: Option<NaiveDate>,
    },
    /// Revoke the role an employee holds (for a fasilitator, the one of --unit, if several).
    Revoke {
        #[arg(long)]
        nip: String,
        #[arg(long, value_parser = role)]
        role: Role,
        #[arg(long)]
        unit: Option<String>,
        /// Why (kept in the history).
        #[arg(long)]
        reason: String,
        #[arg(long)]
        decree: Option<String>,
    },
    /// List the grants in force (with --all, the history too).
    List {
        #[arg(long, value_parser = role)]
        role: Option<Role>,
        #[arg(long)]
        all: bool,
    },
}

fn role(raw: &str) -> Result<Role, String> {
    Role::from_code(raw).ok_or_else(|| "administrator or fasilitator".to_owned())
}

/// The error as the operator reads it: Bahasa Indonesia, then English.
fn explain(e: AgencyError) -> anyhow::Error {
    let api = ApiError::from(e);
    let (id, en) = match &api.detail {
        Some(t) => (t.id.clone(), t.en.clone()),
        None => (
            api.code.title(Lang::Id).to_owned(),
            api.code.title(Lang::En).to_owned(),
        ),
    };
    anyhow::anyhow!("{id} / {en} ({})", api.code)
}

fn line(g: &RoleGrant) -> String {
    let standing = match g.standing {
        Standing::Scheduled => "scheduled",
        Standing::Active => "active",
        Standing::Lapsed => "lapsed",
        Standing::Ended => "revoked",
    };
    format!(
        "{}  {} {:<40} {:<13} {:<12} {:<9} decree {} ({}){}",
        g.id,
        g.employee.nip,
        g.employee.name,
        g.role.code(),
        g.unit_code.as_deref().unwrap_or("-"),
        standing,
        g.decree_number.as_deref().unwrap_or("-"),
        g.decree_date
            .map_or_else(|| "-".to_owned(), |d| d.to_string()),
        g.granted_by.as_deref().map_or_else(
            || ", from the console".to_owned(),
            |by| format!(", by {by}")
        ),
    )
}

pub async fn run(
    db: DatabaseConnection,
    clock: SharedClock,
    cmd: AdminCommand,
) -> anyhow::Result<()> {
    let decrees = Decrees::new(db.clone(), clock.clone());
    let audit = AuditLog::new(db);
    let console = Origin {
        ip: None,
        user_agent: Some("abdi-server admin (operator's console)".into()),
    };
    match cmd {
        AdminCommand::Grant {
            nip,
            role,
            unit,
            decree,
            decree_date,
            from,
            until,
        } => {
            Nip::parse(&nip).map_err(|e| anyhow::anyhow!("NIP tidak valid / invalid NIP: {e}"))?;
            let g = NewRoleGrant {
                nip,
                role,
                unit_code: unit,
                decree_number: decree,
                decree_date,
                starts_on: from,
                ends_on: until,
            };
            let grant = decrees.grant(By::Console, &g).await.map_err(explain)?;
            let detail = format!(
                "{} from the console; decree {}",
                role.code(),
                g.decree_number
            );
            audit
                .record(
                    clock.now(),
                    &console,
                    Event {
                        event: "role_granted",
                        outcome: "success",
                        employee_id: Some(grant.employee.id),
                        subject: Some(&grant.employee.nip),
                        detail: Some(detail),
                    },
                )
                .await;
            println!("{}", line(&grant));
        }
        AdminCommand::Revoke {
            nip,
            role,
            unit,
            reason,
            decree,
        } => {
            let held: Vec<RoleGrant> = decrees
                .grants(Some(role), None)
                .await
                .map_err(explain)?
                .into_iter()
                .filter(|g| g.employee.nip == nip.trim() && g.standing != Standing::Ended)
                .filter(|g| unit.is_none() || g.unit_code == unit)
                .collect();
            let grant = match held.as_slice() {
                [one] => one,
                [] => anyhow::bail!(
                    "{nip} tidak memegang peran {0} / {nip} holds no {0} role",
                    role.code()
                ),
                _ => anyhow::bail!(
                    "{nip} memegang beberapa peran {0}; sebutkan --unit / {nip} holds several \
                     {0} roles; give --unit",
                    role.code()
                ),
            };
            let r = RoleRevocation {
                reason,
                decree_number: decree,
            };
            let revoked = decrees
                .revoke(By::Console, grant.id, &r)
                .await
                .map_err(explain)?;
            audit
                .record(
                    clock.now(),
                    &console,
                    Event {
                        event: "role_revoked",
                        outcome: "success",
                        employee_id: Some(revoked.employee.id),
                        subject: Some(&revoked.employee.nip),
                        detail: Some(format!("{} from the console", role.code())),
                    },
                )
                .await;
            println!("{}", line(&revoked));
        }
        AdminCommand::List { role, all } => {
            let grants = decrees.grants(role, None).await.map_err(explain)?;
            let shown: Vec<&RoleGrant> = grants
                .iter()
                .filter(|g| all || g.standing == Standing::Active)
                .collect();
            if shown.is_empty() {
                eprintln!("Belum ada peran yang berlaku / No grants in force.");
            }
            for g in shown {
                println!("{}", line(g));
            }
        }
    }
    Ok(())
}
