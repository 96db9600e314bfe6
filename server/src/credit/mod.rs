//! Credit points of functional posts (PermenPANRB 1/2023, Peraturan BKN 3/2023): the yearly
//! credit is the rating's percentage times the level's coefficient. Both tables are the
//! `angka_kredit` service's params (`percent.<rating>`, `coefficient.<level>`), so a corrected
//! coefficient is a decree, not a release.

use abdi_proto::Text;
use abdi_proto::services::Violation;
use async_trait::async_trait;
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::masterdata::entity::performance_rating;
use crate::services::rules::{Assessment, RuleInput, ServiceRules, text};

/// The name catalogue entries give these rules.
pub const RULES: &str = "credit.points";

/// The credit points of a year: `percent` of `coefficient`, to two decimals.
pub fn credit_points(percent: f64, coefficient: f64) -> f64 {
    (percent * coefficient).round() / 100.0
}

/// Works out a year's credit points from the rating on record.
pub struct CreditRules;

#[async_trait]
impl ServiceRules for CreditRules {
    async fn assess(
        &self,
        txn: &DatabaseTransaction,
        input: &RuleInput<'_>,
    ) -> Result<Result<Assessment, Vec<Violation>>, DbErr> {
        let year = input
            .form
            .get("year")
            .and_then(Value::as_i64)
            .unwrap_or_default() as i32;
        let level = text(input.form, "jenjang").unwrap_or_default();
        let rating = performance_rating::Entity::find()
            .filter(performance_rating::Column::EmployeeId.eq(input.employee.id))
            .filter(performance_rating::Column::Year.eq(year))
            .one(txn)
            .await?;
        let Some(rating) = rating else {
            return Ok(Err(vec![Violation::new(
                "rating_missing",
                Some("year"),
                format!("Predikat kinerja tahun {year} belum tercatat."),
                format!("No performance rating for {year} is on record."),
            )]));
        };
        let percent = input.params.get(&format!("percent.{}", rating.rating));
        let coefficient = input.params.get(&format!("coefficient.{level}"));
        let (Some(percent), Some(coefficient)) = (percent, coefficient) else {
            return Ok(Err(vec![Violation::new(
                "credit_table_missing",
                Some("jenjang"),
                format!(
                    "Tabel angka kredit layanan ini tidak memuat predikat {} atau jenjang {level}.",
                    rating.rating
                ),
                format!(
                    "The service's credit table lacks the rating {} or the level {level}.",
                    rating.rating
                ),
            )]));
        };
        let points = credit_points(*percent, *coefficient);
        let summary = Text::new(
            format!("Angka kredit tahun {year}: {points} ({percent}% x {coefficient})"),
            format!("Credit points for {year}: {points} ({percent}% x {coefficient})"),
        );
        Ok(Ok(Assessment {
            detail: json!({
                "year": year,
                "rating": rating.rating,
                "percent": percent,
                "coefficient": coefficient,
                "credit_points": points,
                "summary": summary,
            }),
            summary,
            acting_restricted: false,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::credit_points;

    #[test]
    fn a_year_rated_baik_earns_the_coefficient_and_sangat_baik_half_again() {
        // Ahli Pertama, coefficient 12.5 (Peraturan BKN 3/2023).
        assert_eq!(credit_points(100.0, 12.5), 12.5);
        assert_eq!(credit_points(150.0, 12.5), 18.75);
        assert_eq!(credit_points(75.0, 3.75), 2.81);
    }
}
