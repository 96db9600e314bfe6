//! The rules of the `kenaikan_pangkat` service: the SK of a proposal whose Pertek is in. The
//! request is filed by the exchange worker for the employee; its words come from the
//! proposal (the old and new rank, the TMT, the Pertek, the base salary), and no Plt/Plh may
//! decide or sign it.

use abdi_proto::Text;
use abdi_proto::promotion::PromotionStatus;
use abdi_proto::services::Violation;
use async_trait::async_trait;
use sea_orm::{DatabaseTransaction, DbErr, EntityTrait};
use serde_json::json;
use uuid::Uuid;

use super::entity::proposal;
use crate::documents::letter::tanggal;
use crate::record::drh::rupiah;
use crate::services::rules::{Assessment, RuleInput, ServiceRules, text};

pub struct SkRules;

fn refuse(code: &str, id: &str, en: &str) -> Vec<Violation> {
    vec![Violation::new(code, Some("proposal"), id, en)]
}

fn rank_words(code: &str) -> String {
    code.parse::<abdi_proto::RankCode>()
        .map_or_else(|_| code.to_owned(), |r| format!("{} ({r})", r.pangkat()))
}

#[async_trait]
impl ServiceRules for SkRules {
    async fn assess(
        &self,
        txn: &DatabaseTransaction,
        input: &RuleInput<'_>,
    ) -> Result<Result<Assessment, Vec<Violation>>, DbErr> {
        let Some(id) = text(input.form, "proposal").and_then(|s| s.parse::<Uuid>().ok()) else {
            return Ok(Err(refuse(
                "pertek_missing",
                "SK kenaikan pangkat hanya diterbitkan dari usulan yang telah mendapat pertimbangan teknis BKN.",
                "A promotion SK is issued only from a proposal with BKN's technical consideration.",
            )));
        };
        let p = proposal::Entity::find_by_id(id).one(txn).await?;
        let Some(p) = p.filter(|p| p.employee_id == input.employee.id) else {
            return Ok(Err(refuse(
                "pertek_missing",
                "Usulan kenaikan pangkat ini tidak ditemukan untuk pegawai ini.",
                "No such promotion proposal for this employee.",
            )));
        };
        let (Some(number), Some(date), Some(rank), Some(tmt)) = (
            &p.pertek_number,
            p.pertek_date,
            &p.pertek_rank,
            p.pertek_tmt,
        ) else {
            return Ok(Err(refuse(
                "pertek_missing",
                "Pertimbangan teknis BKN untuk usulan ini belum terbit.",
                "BKN's technical consideration of this proposal is not in yet.",
            )));
        };
        if p.status != PromotionStatus::Pertek
            || p.request_id.is_some_and(|r| r != input.request_id)
        {
            return Ok(Err(refuse(
                "sk_already_filed",
                "SK untuk usulan ini sudah diproses.",
                "The SK of this proposal is already under way.",
            )));
        }
        // The rank held now, with the TMT its own SK gave.
        let old_tmt = input.employee.rank_tmt;
        let summary = Text::new(
            format!(
                "Kenaikan pangkat ke {} TMT {}",
                rank_words(rank),
                tanggal(tmt)
            ),
            format!("Promotion to {} from {tmt}", rank_words(rank)),
        );
        Ok(Ok(Assessment {
            detail: json!({
                "proposal_id": p.id,
                "kind": p.kind.label().id,
                "education": input.employee.education_level.to_uppercase(),
                "old_rank": rank_words(&p.rank_code),
                "old_rank_tmt": old_tmt.map(tanggal).unwrap_or_else(|| "-".into()),
                "new_rank": rank_words(rank),
                "tmt": tanggal(tmt),
                "pertek_number": number,
                "pertek_date": tanggal(date),
                "base_salary": p.base_salary.map_or_else(|| "-".into(), |s| format!("Rp{},00", rupiah(s))),
                "summary": summary,
            }),
            summary,
            // The SK of a promotion is the PYBMC's own; a Plt/Plh never signs it.
            acting_restricted: true,
        }))
    }
}
