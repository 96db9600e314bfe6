//! Named accounts for the seed (`seed --accounts FILE`): real-looking people with known NIPs
//! and emails, for demos and for the identity tests. Every NIP is checked; a bad one stops the
//! seed with one line naming the account and what is wrong.

use std::path::Path;

use abdi_proto::Nip;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    account: Vec<RawAccount>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    nip: String,
    name: String,
    #[serde(default)]
    front_title: Option<String>,
    #[serde(default)]
    back_title: Option<String>,
    email: String,
    #[serde(default)]
    phone: Option<String>,
    /// A unit kerja code (e.g. `BKD-U001`) or a perangkat daerah code (its first unit).
    #[serde(default)]
    unit: Option<String>,
    /// A struktural post of that unit to hold: `KEPALA`, `KASI1` or `KASI2`.
    #[serde(default)]
    post: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub nip: Nip,
    pub name: String,
    pub front_title: Option<String>,
    pub back_title: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    pub unit: Option<String>,
    pub post: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error("cannot read accounts file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("accounts file {path}: {reason}")]
    Syntax { path: String, reason: String },
    #[error("accounts file {path}: account {index} ({name}): NIP '{nip}' is invalid: {reason}")]
    Nip {
        path: String,
        index: usize,
        name: String,
        nip: String,
        reason: String,
    },
    #[error("accounts file {path}: account {index} ({name}): {reason}")]
    Field {
        path: String,
        index: usize,
        name: String,
        reason: String,
    },
}

pub fn load(path: &Path) -> Result<Vec<Account>, AccountsError> {
    let text = std::fs::read_to_string(path).map_err(|e| AccountsError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    parse(&path.display().to_string(), &text)
}

pub fn parse(path: &str, text: &str) -> Result<Vec<Account>, AccountsError> {
    let file: File = toml::from_str(text).map_err(|e| AccountsError::Syntax {
        path: path.to_owned(),
        reason: crate::store::db::one_line(e.message()),
    })?;
    let mut seen = std::collections::HashSet::new();
    let mut emails = std::collections::HashSet::<String>::new();
    file.account
        .into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let index = i + 1;
            let field = |reason: String| AccountsError::Field {
                path: path.to_owned(),
                index,
                name: raw.name.clone(),
                reason,
            };
            let nip = Nip::parse_pppk(&raw.nip).map_err(|e| AccountsError::Nip {
                path: path.to_owned(),
                index,
                name: raw.name.clone(),
                nip: raw.nip.clone(),
                reason: e.to_string(),
            })?;
            if !seen.insert(nip.clone()) {
                return Err(field(format!("NIP {nip} appears twice")));
            }
            if raw.name.trim().is_empty() {
                return Err(field("name is empty".into()));
            }
            // The column sizes of the employees table.
            for (what, value, max) in [
                ("name", Some(&raw.name), 255),
                ("front_title", raw.front_title.as_ref(), 32),
                ("back_title", raw.back_title.as_ref(), 64),
                ("phone", raw.phone.as_ref(), 20),
                ("email", Some(&raw.email), 255),
            ] {
                if value.is_some_and(|v| v.chars().count() > max) {
                    return Err(field(format!("{what} is longer than {max} characters")));
                }
            }
            let email = raw.email.trim().to_ascii_lowercase();
            if email
                .split_once('@')
                .is_none_or(|(u, d)| u.is_empty() || !d.contains('.'))
            {
                return Err(field(format!(
                    "email '{}' is not an email address",
                    raw.email
                )));
            }
            if !emails.insert(email.clone()) {
                return Err(field(format!("email {email} appears twice")));
            }
            if let Some(post) = &raw.post
                && !matches!(post.as_str(), "KEPALA" | "KASI1" | "KASI2")
            {
                return Err(field(format!(
                    "post '{post}' must be KEPALA, KASI1 or KASI2"
                )));
            }
            Ok(Account {
                nip,
                name: raw.name.trim().to_owned(),
                front_title: raw.front_title,
                back_title: raw.back_title,
                email,
                phone: raw.phone,
                unit: raw.unit,
                post: raw.post,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_accounts() {
        let a = parse(
            "a.toml",
            r#"
            [[account]]
            nip = "19850312 201001 1 004"
            name = "Budi Santoso"
            back_title = "S.Kom."
            email = "Budi.Santoso@jatimprov.go.id"
            unit = "BKD"
            post = "KEPALA"
            "#,
        )
        .unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].nip.as_str(), "198503122010011004");
        assert_eq!(a[0].email, "budi.santoso@jatimprov.go.id");
    }

    #[test]
    fn a_bad_nip_names_the_account_and_the_reason_in_one_line() {
        let e = parse(
            "accounts.toml",
            "[[account]]\nnip = \"198503122010011004\"\nname = \"A\"\nemail = \"a@x.go.id\"\n\
             [[account]]\nnip = \"199002302010011004\"\nname = \"Siti Rahayu\"\nemail = \"s@x.go.id\"\n",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "accounts file accounts.toml: account 2 (Siti Rahayu): NIP '199002302010011004' is \
             invalid: birth date 19900230 (digits 1-8) is not a real date"
        );
    }

    #[test]
    fn refuses_duplicates_unknown_keys_and_bad_posts() {
        let dup =
            "[[account]]\nnip = \"198503122010011004\"\nname = \"A\"\nemail = \"a@x.go.id\"\n";
        let e = parse("f", &format!("{dup}{dup}")).unwrap_err().to_string();
        assert!(e.contains("appears twice"), "{e}");
        let e = parse("f", &format!("{dup}nipp = \"1\"\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("nipp"), "{e}");
        let e = parse("f", &format!("{dup}post = \"BOSS\"\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("KEPALA"), "{e}");
        let e = parse("f", &format!("{dup}phone = \"{}\"\n", "1".repeat(21)))
            .unwrap_err()
            .to_string();
        assert!(e.contains("phone is longer than 20"), "{e}");
        let other = dup.replace("198503122010011004", "198503122010011005");
        let e = parse("f", &format!("{dup}{other}"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("email a@x.go.id appears twice"), "{e}");
    }
}
