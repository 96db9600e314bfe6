//! PostgreSQL bulk path: `COPY ... FROM STDIN` is several times faster than multi-row INSERT
//! for the national-scale seed. Same rows, same transaction per batch.

use sea_orm::sqlx::{self, PgPool};
use sea_orm::{DbErr, EntityTrait, IdenStatic, ModelTrait, Value};

use super::{Person, all, columns_of};
use crate::masterdata::entity::{
    award, education_history, employee, family_member, performance_rating, position_history,
    rank_history, training_history,
};

pub(super) async fn write_people(pool: &PgPool, people: &[Person]) -> Result<u64, DbErr> {
    let sql = |e: sqlx::Error| DbErr::Custom(format!("COPY: {e}"));
    let mut tx = pool.begin().await.map_err(sql)?;
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await
        .map_err(sql)?;
    let employees: Vec<employee::Model> = people.iter().map(|p| p.employee.clone()).collect();
    let mut rows = copy::<employee::Entity>(&mut tx, &employees, true).await?;
    rows += copy::<rank_history::Entity>(&mut tx, &all(people, |p| &p.ranks), false).await?;
    rows +=
        copy::<position_history::Entity>(&mut tx, &all(people, |p| &p.positions), false).await?;
    rows +=
        copy::<education_history::Entity>(&mut tx, &all(people, |p| &p.education), false).await?;
    rows +=
        copy::<training_history::Entity>(&mut tx, &all(people, |p| &p.trainings), false).await?;
    rows +=
        copy::<performance_rating::Entity>(&mut tx, &all(people, |p| &p.ratings), false).await?;
    rows += copy::<award::Entity>(&mut tx, &all(people, |p| &p.awards), false).await?;
    rows += copy::<family_member::Entity>(&mut tx, &all(people, |p| &p.family), false).await?;
    tx.commit().await.map_err(sql)?;
    Ok(rows)
}

pub(super) async fn copy<E: EntityTrait>(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    models: &[E::Model],
    with_key: bool,
) -> Result<u64, DbErr> {
    if models.is_empty() {
        return Ok(0);
    }
    let columns = columns_of::<E>(with_key);
    let names: Vec<&str> = columns.iter().map(|c| c.as_str()).collect();
    let mut buf = String::with_capacity(models.len() * 128);
    for model in models {
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                buf.push('\t');
            }
            encode(&mut buf, model.get(*c))?;
        }
        buf.push('\n');
    }
    let statement = format!(
        "COPY {} ({}) FROM STDIN",
        E::default().table_name(),
        names.join(", ")
    );
    let sql = |e: sqlx::Error| DbErr::Custom(format!("COPY {}: {e}", E::default().table_name()));
    let mut copy = tx.copy_in_raw(&statement).await.map_err(sql)?;
    copy.send(buf.into_bytes()).await.map_err(sql)?;
    copy.finish().await.map_err(sql)
}

/// One value in COPY's text format (`\\N` for NULL).
fn encode(buf: &mut String, value: Value) -> Result<(), DbErr> {
    use std::fmt::Write;
    fn put(buf: &mut String, v: Option<impl std::fmt::Display>) {
        match v {
            Some(v) => {
                let _ = write!(buf, "{v}");
            }
            None => buf.push_str("\\N"),
        }
    }
    match value {
        Value::String(Some(s)) => escape(buf, &s),
        Value::String(None) => buf.push_str("\\N"),
        Value::Uuid(v) => put(buf, v.map(|u| u.hyphenated())),
        Value::ChronoDate(v) => put(buf, v.map(|d| d.format("%Y-%m-%d"))),
        Value::ChronoDateTimeUtc(v) => put(buf, v.map(|t| t.to_rfc3339())),
        Value::Int(v) => put(buf, v),
        Value::BigInt(v) => put(buf, v),
        Value::Bool(v) => put(buf, v.map(|b| if b { "t" } else { "f" })),
        other => {
            return Err(DbErr::Custom(format!(
                "COPY: no text encoding for {other:?}"
            )));
        }
    }
    Ok(())
}

fn escape(buf: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            c => buf.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_values_in_copy_text_format() {
        let mut b = String::new();
        encode(&mut b, Value::String(Some("a\tb\\c\nd".into()))).unwrap();
        assert_eq!(b, "a\\tb\\\\c\\nd");
        let mut b = String::new();
        encode(&mut b, Value::String(None)).unwrap();
        assert_eq!(b, "\\N");
        let mut b = String::new();
        encode(&mut b, Value::Bool(Some(true))).unwrap();
        encode(&mut b, Value::Int(Some(-4))).unwrap();
        assert_eq!(b, "t-4");
        assert!(encode(&mut String::new(), Value::Double(Some(1.0))).is_err());
    }
}
