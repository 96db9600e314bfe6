//! Writing what the reconciliation found new and changed.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};

use super::reconcile::Plan;
use super::{ImportError, ImportOptions};
use crate::masterdata::entity::{employee, org_unit, position};

/// Writes the reconciled changes: units and posts each in one transaction (parents set after
/// every unit and post exists), then employees and each history file in batches.
pub(super) async fn apply(
    db: &DatabaseConnection,
    options: &ImportOptions,
    plan: Plan,
) -> Result<(), ImportError> {
    let Plan {
        units,
        posts,
        new_people,
        changed_people,
        histories,
    } = plan;
    let total = (new_people.len()
        + changed_people.len()
        + histories.iter().map(|h| h.len()).sum::<usize>()) as u64;
    let progress = if options.progress {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg:>10} [{bar:40}] {pos}/{len} rows, {per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let batch = options.batch.max(1);

    // A unit or post may point at another that is new: insert without the link, then link.
    let txn = db.begin().await?;
    for u in &units {
        let mut bare = u.clone();
        bare.parent_id = Set(None);
        org_unit::Entity::insert(bare)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(org_unit::Column::Id)
                    .update_columns([org_unit::Column::Name, org_unit::Column::Level])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    for u in &units {
        if let (Set(id), Set(parent)) = (&u.id, &u.parent_id) {
            org_unit::Entity::update_many()
                .col_expr(org_unit::Column::ParentId, Expr::value(*parent))
                .filter(org_unit::Column::Id.eq(*id))
                .exec(&txn)
                .await?;
        }
    }
    for p in &posts {
        let mut bare = p.clone();
        bare.reports_to_id = Set(None);
        position::Entity::insert(bare)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(position::Column::Id)
                    .update_columns([
                        position::Column::Title,
                        position::Column::Kind,
                        position::Column::Grade,
                        position::Column::UnitId,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    for p in &posts {
        if let (Set(id), Set(up)) = (&p.id, &p.reports_to_id) {
            position::Entity::update_many()
                .col_expr(position::Column::ReportsToId, Expr::value(*up))
                .filter(position::Column::Id.eq(*id))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;

    progress.set_message("employees");
    for chunk in new_people.chunks(batch) {
        let txn = db.begin().await?;
        employee::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        progress.inc(chunk.len() as u64);
    }
    for chunk in changed_people.chunks(batch) {
        let txn = db.begin().await?;
        for m in chunk {
            employee::Entity::update(m.clone()).exec(&txn).await?;
        }
        txn.commit().await?;
        progress.inc(chunk.len() as u64);
    }
    for history in &histories {
        progress.set_message(history.label());
        history.write(db, batch, &|n| progress.inc(n)).await?;
    }
    progress.finish_and_clear();
    Ok(())
}
