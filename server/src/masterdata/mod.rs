//! Master data: the organisation (units, positions) and employees with their histories.

pub mod completeness;
pub mod entity;
pub mod profiles;
pub mod record;

use abdi_proto::RankCode;
use abdi_proto::identity::Profile;
use abdi_proto::master::{PositionKind, Vocabulary};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};
use uuid::Uuid;

use entity::{employee, org_unit, position, position_history};

#[derive(Debug, Clone)]
pub struct EmployeeDirectory {
    db: DatabaseConnection,
}

impl EmployeeDirectory {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn by_nip(&self, nip: &str) -> Result<Option<employee::Model>, DbErr> {
        employee::Entity::find()
            .filter(employee::Column::Nip.eq(nip))
            .one(&self.db)
            .await
    }

    pub async fn by_id(&self, id: Uuid) -> Result<Option<employee::Model>, DbErr> {
        employee::Entity::find_by_id(id).one(&self.db).await
    }

    /// Records the phone number the employee gave (only the employee does this: managers may
    /// not change it, Pergub 73/2020 Pasal 30(2)(j)).
    pub async fn by_email(&self, email: &str) -> Result<Option<employee::Model>, DbErr> {
        employee::Entity::find()
            .filter(employee::Column::Email.eq(email))
            .one(&self.db)
            .await
    }

    /// The employee's own official email, once they proved it is theirs.
    pub async fn set_own_email(
        &self,
        id: Uuid,
        email: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), DbErr> {
        employee::ActiveModel {
            id: Set(id),
            email: Set(Some(email.to_owned())),
            updated_at: Set(at),
            ..Default::default()
        }
        .update(&self.db)
        .await
        .map(|_| ())
    }

    pub async fn set_own_phone(
        &self,
        id: Uuid,
        phone: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), DbErr> {
        employee::ActiveModel {
            id: Set(id),
            phone: Set(Some(phone.to_owned())),
            updated_at: Set(at),
            ..Default::default()
        }
        .update(&self.db)
        .await
        .map(|_| ())
    }

    /// Disables an account (the caller ends its sessions).
    pub async fn disable(&self, id: Uuid, at: chrono::DateTime<chrono::Utc>) -> Result<(), DbErr> {
        employee::ActiveModel {
            id: Set(id),
            active: Set(false),
            updated_at: Set(at),
            ..Default::default()
        }
        .update(&self.db)
        .await
        .map(|_| ())
    }

    /// The open unit and post with these codes (the post must be in that unit); `Err` names the
    /// code that is unknown or closed.
    pub async fn destination(
        &self,
        unit_code: &str,
        position_code: Option<&str>,
    ) -> Result<Result<(Uuid, Option<Uuid>), String>, DbErr> {
        let Some(unit) = org_unit::Entity::find()
            .filter(org_unit::Column::Code.eq(unit_code))
            .filter(org_unit::Column::ClosedOn.is_null())
            .one(&self.db)
            .await?
        else {
            return Ok(Err(unit_code.to_owned()));
        };
        let post = match position_code {
            Some(code) => match position::Entity::find()
                .filter(position::Column::Code.eq(code))
                .filter(position::Column::UnitId.eq(unit.id))
                .filter(position::Column::ClosedOn.is_null())
                .one(&self.db)
                .await?
            {
                Some(p) => Some(p.id),
                None => return Ok(Err(code.to_owned())),
            },
            None => None,
        };
        Ok(Ok((unit.id, post)))
    }

    /// Who else holds the post, if it is a struktural one (held by one person; fungsional and
    /// pelaksana posts are shared by many).
    pub async fn holders(&self, post: Option<Uuid>, except: Uuid) -> Result<Vec<Uuid>, DbErr> {
        let Some(post) = post else {
            return Ok(Vec::new());
        };
        let single = position::Entity::find_by_id(post)
            .filter(position::Column::Kind.eq(PositionKind::Struktural.code()))
            .one(&self.db)
            .await?
            .is_some();
        if !single {
            return Ok(Vec::new());
        }
        Ok(employee::Entity::find()
            .filter(employee::Column::PositionId.eq(post))
            .filter(employee::Column::Id.ne(except))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect())
    }

    /// Moves an employee to a unit and post, in one transaction with `replaced` leaving that
    /// post, and writes the move into the position history under its decree and TMT. The
    /// caller ends the sessions of both: a transfer changes who may see what.
    pub async fn transfer(
        &self,
        id: Uuid,
        (unit_id, position_id): (Uuid, Option<Uuid>),
        replaced: &[Uuid],
        (decree_number, tmt): (&str, chrono::NaiveDate),
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), DbErr> {
        use sea_orm::TransactionTrait;
        let txn = self.db.begin().await?;
        let unit_name = org_unit::Entity::find_by_id(unit_id)
            .one(&txn)
            .await?
            .map_or_else(String::new, |u| u.name);
        let position_title = match position_id {
            Some(p) => position::Entity::find_by_id(p)
                .one(&txn)
                .await?
                .map_or_else(String::new, |p| p.title),
            None => String::new(),
        };
        // A transfer repeated (a retry after a failure later in its work) is one entry.
        let recorded = position_history::Entity::find()
            .filter(position_history::Column::EmployeeId.eq(id))
            .filter(position_history::Column::Tmt.eq(tmt))
            .filter(position_history::Column::DecreeNumber.eq(decree_number))
            .one(&txn)
            .await?
            .is_some();
        if !recorded {
            position_history::ActiveModel {
                employee_id: Set(id),
                position_id: Set(position_id),
                position_title: Set(position_title),
                unit_name: Set(unit_name),
                tmt: Set(tmt),
                decree_number: Set(decree_number.to_owned()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        if !replaced.is_empty() {
            employee::Entity::update_many()
                .col_expr(
                    employee::Column::PositionId,
                    sea_orm::sea_query::Expr::value(None::<Uuid>),
                )
                .col_expr(
                    employee::Column::UpdatedAt,
                    sea_orm::sea_query::Expr::value(at),
                )
                .filter(employee::Column::Id.is_in(replaced.iter().copied()))
                .filter(employee::Column::PositionId.eq(position_id))
                .exec(&txn)
                .await?;
        }
        employee::ActiveModel {
            id: Set(id),
            unit_id: Set(unit_id),
            position_id: Set(position_id),
            updated_at: Set(at),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        txn.commit().await
    }

    /// The employee's own record as `/api/v1/me` shows it: one query.
    pub async fn profile(&self, id: Uuid) -> Result<Option<Profile>, DbErr> {
        use sea_orm::{ConnectionTrait, FromQueryResult};

        #[derive(FromQueryResult)]
        struct Row {
            nip: String,
            front_title: Option<String>,
            name: String,
            back_title: Option<String>,
            gender: String,
            birth_place: String,
            birth_date: chrono::NaiveDate,
            employment_type: String,
            rank_code: Option<String>,
            email: Option<String>,
            phone: Option<String>,
            unit_name: Option<String>,
            position_title: Option<String>,
        }

        // The query differs from one call to the next only in its value: it is built once per
        // backend (building it took as long as PostgreSQL's answer).
        static SQL: [std::sync::OnceLock<String>; 3] = [const { std::sync::OnceLock::new() }; 3];
        let backend = self.db.get_database_backend();
        let slot = match backend {
            sea_orm::DbBackend::Postgres => 0,
            sea_orm::DbBackend::Sqlite => 1,
            _ => 2,
        };
        let sql = SQL[slot].get_or_init(|| backend.build(&Self::profile_query(id)).sql);
        let stmt = sea_orm::Statement::from_sql_and_values(backend, sql.clone(), [id.into()]);
        let Some(result) = self.db.query_one_raw(stmt).await? else {
            return Ok(None);
        };
        let r = Row::from_query_result(&result, "")?;
        let rank = r.rank_code.as_deref().and_then(|c| RankCode::parse(c).ok());
        let full_name =
            employee::full_name(r.front_title.as_deref(), &r.name, r.back_title.as_deref());
        Ok(Some(Profile {
            nip: r.nip,
            full_name,
            name: r.name,
            gender: r.gender,
            birth_place: r.birth_place,
            birth_date: r.birth_date,
            employment_type: r.employment_type,
            rank: rank.map(|r| r.to_string()),
            pangkat: rank.map(|r| r.pangkat().to_owned()),
            position: r.position_title,
            unit: r.unit_name.unwrap_or_default(),
            email: r.email,
            phone: r.phone,
        }))
    }

    /// The profile's query for employee `id`.
    fn profile_query(id: Uuid) -> sea_orm::sea_query::SelectStatement {
        use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
        let e = Alias::new("e");
        let u = Alias::new("u");
        let p = Alias::new("p");
        Query::select()
            .columns(
                [
                    employee::Column::Nip,
                    employee::Column::FrontTitle,
                    employee::Column::Name,
                    employee::Column::BackTitle,
                    employee::Column::Gender,
                    employee::Column::BirthPlace,
                    employee::Column::BirthDate,
                    employee::Column::EmploymentType,
                    employee::Column::RankCode,
                    employee::Column::Email,
                    employee::Column::Phone,
                ]
                .map(|c| (e.clone(), c)),
            )
            .expr_as(
                Expr::col((u.clone(), org_unit::Column::Name)),
                Alias::new("unit_name"),
            )
            .expr_as(
                Expr::col((p.clone(), position::Column::Title)),
                Alias::new("position_title"),
            )
            .from_as(employee::Entity, e.clone())
            .join_as(
                JoinType::LeftJoin,
                org_unit::Entity,
                u.clone(),
                Expr::col((u.clone(), org_unit::Column::Id))
                    .equals((e.clone(), employee::Column::UnitId)),
            )
            .join_as(
                JoinType::LeftJoin,
                position::Entity,
                p.clone(),
                Expr::col((p.clone(), position::Column::Id))
                    .equals((e.clone(), employee::Column::PositionId)),
            )
            .and_where(Expr::col((e, employee::Column::Id)).eq(id))
            .to_owned()
    }
}
