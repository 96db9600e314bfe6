//! Promotion (kenaikan pangkat): the proposals (usulan) to BKN, one per employee and period,
//! each carrying its own outbox state (the next attempt, its lease), and the exchange log of
//! every call made to BKN.

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
                    .table("promotion_proposals")
                    .col(uuid("id").primary_key())
                    .col(uuid("employee_id"))
                    .col(uuid("unit_id"))
                    .col(date("period"))
                    .col(string_len("kind", 16))
                    .col(string_len("status", 16))
                    .col(string_len("rank_code", 8))
                    .col(string_len("new_rank_code", 8))
                    .col(text("documents"))
                    .col(string_len_null("bkn_id", 64))
                    .col(string_len_null("pertek_number", 128))
                    .col(date_null("pertek_date"))
                    .col(string_len_null("pertek_rank", 8))
                    .col(date_null("pertek_tmt"))
                    .col(big_integer_null("base_salary"))
                    .col(text("reasons"))
                    .col(uuid_null("request_id"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone_null("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("lease_until"))
                    .col(text_null("last_error"))
                    .col(uuid_null("verified_by"))
                    .col(timestamp_with_time_zone_null("verified_at"))
                    .col(integer("version"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "promotion_proposals",
                        "employee_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // One proposal per employee and period, whatever happens to a worker.
        manager
            .create_index(
                index("promotion_proposals", &["employee_id", "period"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("promotion_proposals", &["status", "next_attempt_at"]).to_owned())
            .await?;
        manager
            .create_index(index("promotion_proposals", &["period", "unit_id"]).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("bkn_exchanges")
                    .col(big_pk_auto("id"))
                    .col(uuid_null("proposal_id"))
                    .col(string_len("operation", 32))
                    .col(integer_null("status"))
                    .col(string_len("outcome", 16))
                    .col(text("detail"))
                    .col(timestamp_with_time_zone("at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("bkn_exchanges", &["proposal_id", "id"]).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("bkn_exchanges").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("promotion_proposals").to_owned())
            .await
    }
}
