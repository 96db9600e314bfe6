//! Attendance (presensi): the places employees check in at (a unit's office fences, or a place
//! assigned to one employee), the devices enrolled to sign check-ins, and the check-ins
//! themselves. A location is kept only with a check-in or check-out, never in between.

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
                    .table("attendance_places")
                    .col(uuid("id").primary_key())
                    .col(string_len("name", 200))
                    // The fence as abdi_proto::attendance::Fence's JSON.
                    .col(text("fence"))
                    .col(double("accuracy_m"))
                    // One of the two: the unit (and the units below it), or one employee.
                    .col(uuid_null("unit_id"))
                    .col(uuid_null("employee_id"))
                    .col(boolean("active"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("attendance_places", &["unit_id"]).to_owned())
            .await?;
        manager
            .create_index(index("attendance_places", &["employee_id"]).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("attendance_devices")
                    .col(uuid("id").primary_key())
                    .col(uuid("employee_id"))
                    .col(string_len("name", 100))
                    .col(text("public_key_pem"))
                    .col(timestamp_with_time_zone("enrolled_at"))
                    // Enrolling another phone retires this one.
                    .col(timestamp_with_time_zone_null("retired_at"))
                    // The highest record number accepted from it: anything at or below is a replay.
                    .col(big_integer("last_seq"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("attendance_devices", &["employee_id"]).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("attendance_check_ins")
                    .col(uuid("id").primary_key())
                    .col(uuid("employee_id"))
                    .col(uuid("device_id"))
                    .col(big_integer("seq"))
                    // `in` or `out`
                    .col(string_len("kind", 8))
                    // When the fix was taken as the server works it out, and when it arrived.
                    .col(timestamp_with_time_zone("at"))
                    .col(timestamp_with_time_zone("received_at"))
                    // The phone's wall clock, kept to show a disagreement.
                    .col(timestamp_with_time_zone("taken_at"))
                    .col(boolean("offline"))
                    .col(double("lat"))
                    .col(double("lon"))
                    .col(double("accuracy_m"))
                    .col(boolean("mock"))
                    .col(uuid_null("place_id"))
                    .col(double_null("distance_m"))
                    // `accepted`, `flagged` (waiting for the atasan), `rejected` (by the atasan) or
                    // `refused` (kept with its reasons)
                    .col(string_len("verdict", 16))
                    .col(text("reasons"))
                    .col(double_null("photo_lat"))
                    .col(double_null("photo_lon"))
                    .col(text("record"))
                    .col(text("signature"))
                    // The atasan's word on a flagged one.
                    .col(uuid_null("reviewed_by"))
                    .col(timestamp_with_time_zone_null("reviewed_at"))
                    .col(text_null("review_note"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("attendance_check_ins", &["device_id", "seq"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("attendance_check_ins", &["employee_id", "at"]).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "attendance_check_ins",
            "attendance_devices",
            "attendance_places",
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
