//! Promotion on the phone: the policy kept for offline use, and the employee's outlook (the
//! first period they are due in, the new rank, what they still lack) worked out offline from
//! the cached record and archive by the same rules the server's candidate list uses.

use abdi_proto::promotion::{PromotionFacts, PromotionOutlook, PromotionPolicy};
use chrono::NaiveDate;

use crate::http::Call;
use crate::{Client, CoreError};

const POLICY_FILE: &str = "cache/promotion-policy.json";

impl Client {
    /// The promotion policy in force, from the server, kept for offline use.
    pub async fn promotion_policy(&self) -> Result<PromotionPolicy, CoreError> {
        let policy: PromotionPolicy = self.authed(Call::get("/api/v1/promotion/policy")).await?;
        self.data.write_json(POLICY_FILE, &policy).await?;
        Ok(policy)
    }

    /// The policy as last fetched.
    pub async fn cached_promotion_policy(&self) -> Result<PromotionPolicy, CoreError> {
        self.data
            .read_json(POLICY_FILE)
            .await?
            .ok_or_else(|| CoreError::NotCached("promotion policy".into()))
    }

    /// The employee's outlook as of `today`, offline: what `GET /api/v1/me/promotion` answers
    /// for the record and archive the phone holds. A study permit is not in the record, so
    /// the diploma adjustment (never the record's own kind) is left to the fasilitator.
    pub async fn promotion_outlook(&self, today: NaiveDate) -> Result<PromotionOutlook, CoreError> {
        let policy = self.cached_promotion_policy().await?;
        let record = self.cached_record().await?;
        let archive: Vec<String> = self
            .cached_archive()
            .await?
            .iter()
            .map(|d| d.kind.code().to_owned())
            .collect();
        let facts = PromotionFacts::of_record(&record, &archive, false);
        Ok(PromotionOutlook {
            candidacy: policy.projection(&facts, today),
        })
    }
}
