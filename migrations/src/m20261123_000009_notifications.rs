//! Notifications: push devices (one per session), channel preferences, the events (the inbox
//! and the outbox in one) and one delivery per event, channel and target.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

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
                    .table("devices")
                    .col(uuid("id").primary_key())
                    .col(uuid("employee_id"))
                    // The session's public id: a session has at most one device token.
                    .col(uuid("session_id").unique_key())
                    // fcm | apns
                    .col(string_len("platform", 8))
                    // A token belongs to one device, and so to one session at a time.
                    .col(string_len("token", 512).unique_key())
                    .col(string_len("app_version", 32))
                    .col(string_len("device_name", 100))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "devices",
                        "employee_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("devices", &["employee_id"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("notification_preferences")
                    .col(uuid("employee_id"))
                    // push | email
                    .col(string_len("channel", 16))
                    .col(boolean("enabled"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("employee_id").col("channel"))
                    .foreign_key(&mut fk(
                        "notification_preferences",
                        "employee_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("notification_events")
                    .col(big_pk_auto("id"))
                    .col(uuid("employee_id"))
                    // request_status | passkey_added | new_device
                    .col(string_len("kind", 32))
                    .col(boolean("security"))
                    .col(text("title_id"))
                    .col(text("title_en"))
                    .col(text("body_id"))
                    .col(text("body_en"))
                    .col(uuid_null("request_id"))
                    .col(string_len_null("status", 24))
                    .col(string_len_null("outcome", 24))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("read_at"))
                    .foreign_key(&mut fk(
                        "notification_events",
                        "employee_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("notification_events", &["employee_id", "id"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("notification_deliveries")
                    .col(big_pk_auto("id"))
                    .col(big_integer("event_id"))
                    // fcm | apns | email | stream
                    .col(string_len("channel", 8))
                    // The device id for push, the address for email, "" for the stream.
                    .col(string_len("target", 320))
                    // pending | delivered | dead | dropped
                    .col(string_len("state", 12))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    // A worker's claim: nobody else sends it until the lease ends.
                    .col(uuid_null("lease_owner"))
                    .col(timestamp_with_time_zone_null("lease_until"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .foreign_key(&mut fk(
                        "notification_deliveries",
                        "event_id",
                        "notification_events",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // One delivery per event, channel and target, whatever retries or races happen.
        manager
            .create_index(
                Index::create()
                    .name("ux_notification_deliveries_event_channel_target")
                    .table("notification_deliveries")
                    .col("event_id")
                    .col("channel")
                    .col("target")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "notification_deliveries",
                &["state", "next_attempt_at"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "notification_deliveries",
            "notification_events",
            "notification_preferences",
            "devices",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
