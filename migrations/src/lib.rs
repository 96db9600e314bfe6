//! abdi-migrations: the database schema, as frozen migrations that run the same on PostgreSQL
//! and SQLite. Never edit a migration that has landed; add a new one. Migrations never import the
//! server's entities: each one states the schema as it was on its day.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_reference;
mod m20261123_000002_organisation;
mod m20261123_000003_employees;
mod m20261123_000004_auth_events;
mod m20261123_000005_passkeys;
mod m20261123_000006_access;
mod m20261123_000007_services;
mod m20261123_000008_documents;
mod m20261123_000009_notifications;
mod m20261201_000010_sso_subjects;
mod m20261201_000011_document_register;
mod m20261202_000012_roles_by_decree;
mod m20261202_000013_employee_record;
mod m20261202_000014_holiday_revisions;
mod m20261202_000015_organisation_changes;
mod m20261203_000016_record_updates;
mod m20261204_000017_due_notices;
mod m20261205_000018_promotion;
mod m20261206_000019_inbox_counts;
mod m20261207_000020_profile_changes;
mod m20261208_000021_data_sharing;
mod m20261209_000022_data_requests;
mod m20261210_000023_attendance;
mod m20261211_000024_attendance_rules;

pub use m20261206_000019_inbox_counts::refill_inbox_counts;
pub use m20261207_000020_profile_changes::PROFILE_CHANNEL;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_reference::Migration),
            Box::new(m20261123_000002_organisation::Migration),
            Box::new(m20261123_000003_employees::Migration),
            Box::new(m20261123_000004_auth_events::Migration),
            Box::new(m20261123_000005_passkeys::Migration),
            Box::new(m20261123_000006_access::Migration),
            Box::new(m20261123_000007_services::Migration),
            Box::new(m20261123_000008_documents::Migration),
            Box::new(m20261123_000009_notifications::Migration),
            Box::new(m20261201_000010_sso_subjects::Migration),
            Box::new(m20261201_000011_document_register::Migration),
            Box::new(m20261202_000012_roles_by_decree::Migration),
            Box::new(m20261202_000013_employee_record::Migration),
            Box::new(m20261202_000014_holiday_revisions::Migration),
            Box::new(m20261202_000015_organisation_changes::Migration),
            Box::new(m20261203_000016_record_updates::Migration),
            Box::new(m20261204_000017_due_notices::Migration),
            Box::new(m20261205_000018_promotion::Migration),
            Box::new(m20261206_000019_inbox_counts::Migration),
            Box::new(m20261207_000020_profile_changes::Migration),
            Box::new(m20261208_000021_data_sharing::Migration),
            Box::new(m20261209_000022_data_requests::Migration),
            Box::new(m20261210_000023_attendance::Migration),
            Box::new(m20261211_000024_attendance_rules::Migration),
        ]
    }
}

/// A foreign key from `table.column` to `target.id`.
pub(crate) fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    target_column: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, target_column)
        .on_delete(on_delete)
        .to_owned()
}

/// A plain index on `table(columns...)`.
pub(crate) fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", columns.join("_")))
        .table(table);
    for c in columns {
        stmt.col(*c);
    }
    stmt.to_owned()
}
