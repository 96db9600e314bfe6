//! Attendance, the rules around the check-ins: the working hours each unit keeps (with their
//! Ramadan and flexible variants and the days worked anywhere), the corrections an atasan
//! granted (a forgotten check-out), the days official travel excuses, the cases unexcused
//! absence opens for a fasilitator (PP 94/2021 Pasal 11), what a check-in's platform
//! attestation said, and where its photo is kept.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("attendance_schedules")
                    .col(uuid("id").primary_key())
                    .col(string_len("name", 200))
                    // None: the whole agency.
                    .col(uuid_null("unit_id"))
                    .col(date("from"))
                    // Set for a period's variant (Ramadan).
                    .col(date_null("until"))
                    // abdi_proto::attendance::WorkDay list as JSON.
                    .col(text("days"))
                    .col(integer("flexible_minutes"))
                    .col(boolean("active"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("attendance_schedules", &["unit_id"]).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("attendance_corrections")
                    // The koreksi_presensi request that granted it.
                    .col(uuid("request_id").primary_key())
                    .col(uuid("employee_id"))
                    // `in` or `out`
                    .col(string_len("kind", 8))
                    .col(timestamp_with_time_zone("at"))
                    .col(timestamp_with_time_zone("granted_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("attendance_corrections", &["employee_id", "at"]).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("attendance_excuses")
                    // The granted request (surat tugas / dinas luar) that excuses the days.
                    .col(uuid("request_id").primary_key())
                    .col(uuid("employee_id"))
                    .col(date("start_date"))
                    .col(date("end_date"))
                    // What the day shows ("Dinas luar: Jakarta").
                    .col(string_len("why", 300))
                    .col(timestamp_with_time_zone("granted_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("attendance_excuses", &["employee_id", "start_date"]).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("attendance_cases")
                    .col(uuid("id").primary_key())
                    .col(uuid("employee_id"))
                    .col(integer("year"))
                    // The threshold crossed (days without excuse in the year, or 10 in a row)
                    // and the sanction PP 94/2021 Pasal 11 names for it: a proposal only.
                    .col(string_len("threshold", 32))
                    .col(string_len("sanction", 32))
                    .col(integer("days"))
                    // The dates counted, as JSON.
                    .col(text("dates"))
                    .col(timestamp_with_time_zone("opened_at"))
                    // The fasilitator's word: `open`, then `closed` with a note.
                    .col(string_len("state", 16))
                    .col(uuid_null("closed_by"))
                    .col(timestamp_with_time_zone_null("closed_at"))
                    .col(text_null("note"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("attendance_cases", &["employee_id", "year", "threshold"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite alters one thing at a time.
        // What the platform attestation said (`ok`, or why not), when one came.
        manager
            .alter_table(
                Table::alter()
                    .table("attendance_check_ins")
                    .add_column(text_null("attestation"))
                    .to_owned(),
            )
            .await?;
        // The photo in the object store: sensitive, for the atasan and fasilitator.
        manager
            .alter_table(
                Table::alter()
                    .table("attendance_check_ins")
                    .add_column(string_len_null("photo_key", 200))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for c in ["attestation", "photo_key"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("attendance_check_ins")
                        .drop_column(c)
                        .to_owned(),
                )
                .await?;
        }
        for t in [
            "attendance_cases",
            "attendance_excuses",
            "attendance_corrections",
            "attendance_schedules",
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
