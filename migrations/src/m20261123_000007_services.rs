//! Service requests: the catalogue (with every earlier revision), requests with their approval
//! steps and history, idempotency keys for submissions, attachments, leave bookings, and the
//! disciplinary sanctions that eligibility rules read.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on SQLite too (sea-orm wraps only PostgreSQL migrations by default).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("service_types")
                    .col(string_len("code", 64).primary_key())
                    // Which rules in code apply (e.g. "leave.tahunan", "study.izin_belajar").
                    .col(string_len("rules", 64))
                    .col(integer("revision"))
                    .col(boolean("active"))
                    // The abdi_proto::services::ServiceSpec as JSON.
                    .col(text("spec"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(uuid_null("updated_by"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("service_type_revisions")
                    .col(big_pk_auto("id"))
                    .col(string_len("code", 64))
                    .col(integer("revision"))
                    .col(text("spec"))
                    .col(uuid_null("changed_by"))
                    .col(timestamp_with_time_zone("changed_at"))
                    .col(text("note"))
                    .foreign_key(&mut fk(
                        "service_type_revisions",
                        "code",
                        "service_types",
                        "code",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_service_type_revisions_code_revision")
                    .table("service_type_revisions")
                    .col("code")
                    .col("revision")
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("service_requests")
                    .col(pk_uuid("id"))
                    .col(uuid("employee_id"))
                    .col(string_len("service_code", 64))
                    .col(integer("service_revision"))
                    // draft | submitted | returned | in_review | decided | cancelled
                    .col(string_len("status", 16))
                    .col(string_len_null("outcome", 16))
                    .col(text("form"))
                    // What the service's rules worked out, as JSON.
                    .col(text("assessment"))
                    // The employee's unit and perangkat daerah when submitted.
                    .col(uuid("unit_id"))
                    .col(uuid_null("pd_unit_id"))
                    // Optimistic concurrency: every change increments it.
                    .col(integer("version"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "service_requests",
                        "employee_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "service_requests",
                        "service_code",
                        "service_types",
                        "code",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("service_requests", &["employee_id", "created_at"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("request_steps")
                    .col(pk_uuid("id"))
                    .col(uuid("request_id"))
                    // The request's service and employee, copied so that work lists count and
                    // filter from the steps' own indexes.
                    .col(string_len("service_code", 64))
                    .col(uuid("employee_id"))
                    .col(integer("seq"))
                    // verification | recommendation | decision | approval
                    .col(string_len("kind", 16))
                    // fasilitator | atasan_langsung | pybmc | ppk | bkn
                    .col(string_len("approver", 16))
                    .col(boolean("acting_allowed"))
                    // The deciding post (whoever holds it, or acts in it, when deciding).
                    .col(uuid_null("position_id"))
                    // The unit whose fasilitators verify.
                    .col(uuid_null("unit_id"))
                    .col(uuid_null("pd_unit_id"))
                    // waiting | active | done | skipped
                    .col(string_len("status", 16))
                    .col(timestamp_with_time_zone_null("activated_at"))
                    .col(string_len_null("outcome", 16))
                    .col(text_null("note"))
                    .col(uuid_null("actor_id"))
                    .col(string_len_null("capacity", 32))
                    .col(uuid_null("acting_assignment_id"))
                    .col(timestamp_with_time_zone_null("acted_at"))
                    .foreign_key(&mut fk(
                        "request_steps",
                        "request_id",
                        "service_requests",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("request_steps", &["request_id"]))
            .await?;
        // Work lists read only active steps: partial indexes keep them small (both databases
        // support `WHERE` on an index). For each way a step is addressed (post, unit, perangkat
        // daerah, approver) one index pages in waiting order and one counts per service
        // without reading the table.
        let db = manager.get_connection();
        for by in ["position_id", "unit_id", "pd_unit_id", "approver"] {
            db.execute_unprepared(&format!(
                "CREATE INDEX ix_request_steps_active_{by} ON request_steps \
                 ({by}, activated_at, id) WHERE status = 'active'"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE INDEX ix_request_steps_count_{by} ON request_steps \
                 ({by}, service_code, employee_id) WHERE status = 'active'"
            ))
            .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("request_events")
                    .col(big_pk_auto("id"))
                    .col(uuid("request_id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(string_len("action", 32))
                    .col(string_len_null("from_status", 16))
                    .col(string_len("to_status", 16))
                    .col(uuid_null("actor_id"))
                    .col(string_len_null("capacity", 32))
                    .col(uuid_null("acting_assignment_id"))
                    .col(string_len_null("outcome", 16))
                    .col(text_null("note"))
                    .foreign_key(&mut fk(
                        "request_events",
                        "request_id",
                        "service_requests",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("request_events", &["request_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("idempotency_keys")
                    .col(uuid("employee_id"))
                    .col(string_len("key", 128))
                    // SHA-256 of the request body, hex.
                    .col(string_len("body_hash", 64))
                    // running | done
                    .col(string_len("state", 16))
                    .col(integer_null("response_status"))
                    .col(text_null("response"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("employee_id").col("key"))
                    .foreign_key(&mut fk(
                        "idempotency_keys",
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
                    .table("attachments")
                    .col(pk_uuid("id"))
                    .col(uuid("owner_id"))
                    // The request it was sent with (set on submission); until then only the
                    // owner sees it.
                    .col(uuid_null("request_id"))
                    .col(string_len("name", 255))
                    .col(string_len("content_type", 64))
                    .col(big_integer("size"))
                    .col(string_len("sha256", 64))
                    .col(string_len("storage_key", 255))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "attachments",
                        "owner_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "attachments",
                        "request_id",
                        "service_requests",
                        "id",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("attachments", &["request_id"]))
            .await?;
        manager
            .create_index(index("attachments", &["owner_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("leave_bookings")
                    .col(uuid("request_id").primary_key())
                    .col(uuid("employee_id"))
                    .col(string_len("kind", 16))
                    .col(date("start_date"))
                    .col(date("end_date"))
                    // Working days (cuti bersama days for a compensation).
                    .col(integer("days"))
                    .col(integer("year"))
                    // pending | approved | deferred
                    .col(string_len("state", 16))
                    .foreign_key(&mut fk(
                        "leave_bookings",
                        "request_id",
                        "service_requests",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "leave_bookings",
                        "employee_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("leave_bookings", &["employee_id", "start_date"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("disciplinary_sanctions")
                    .col(big_pk_auto("id"))
                    .col(uuid("employee_id"))
                    // ringan | sedang | berat | pemberhentian_sementara (PP 94/2021)
                    .col(string_len("level", 32))
                    .col(string("decree_number"))
                    .col(date("starts_on"))
                    .col(date_null("ends_on"))
                    .foreign_key(&mut fk(
                        "disciplinary_sanctions",
                        "employee_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("disciplinary_sanctions", &["employee_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "disciplinary_sanctions",
            "leave_bookings",
            "attachments",
            "idempotency_keys",
            "request_events",
            "request_steps",
            "service_requests",
            "service_type_revisions",
            "service_types",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
