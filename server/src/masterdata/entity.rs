//! Database entities of the master data (Pergub Jatim 73/2020 Pasal 6 and 16). Vocabulary
//! columns (gender, level, kind, ...) hold the snake_case codes of `abdi_proto::master`.

pub mod org_unit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "org_units")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub code: String,
        pub name: String,
        pub level: String,
        pub parent_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
        /// Closed by decree from this day; kept for the histories that name it.
        pub closed_on: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod position {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "positions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub code: String,
        pub title: String,
        pub kind: String,
        pub grade: Option<String>,
        pub unit_id: Uuid,
        pub reports_to_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
        /// Closed by decree from this day; kept for the histories that name it.
        pub closed_on: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod employee {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "employees")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub nip: String,
        pub nik: String,
        pub front_title: Option<String>,
        pub name: String,
        pub back_title: Option<String>,
        pub gender: String,
        pub birth_place: String,
        pub birth_date: Date,
        pub employment_type: String,
        pub rank_code: Option<String>,
        pub rank_tmt: Option<Date>,
        pub tmt_cpns: Option<Date>,
        pub tmt_pns: Option<Date>,
        pub education_level: String,
        pub unit_id: Uuid,
        pub position_id: Option<Uuid>,
        pub email: Option<String>,
        pub phone: Option<String>,
        pub active: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        /// The employee as other records refer to them: id, NIP, name with titles.
        pub fn person(&self) -> abdi_proto::people::PersonRef {
            abdi_proto::people::PersonRef {
                id: self.id,
                nip: self.nip.clone(),
                name: self.full_name(),
            }
        }

        /// The name as written on letters: front title, name, back title.
        pub fn full_name(&self) -> String {
            full_name(
                self.front_title.as_deref(),
                &self.name,
                self.back_title.as_deref(),
            )
        }
    }

    pub fn full_name(front: Option<&str>, name: &str, back: Option<&str>) -> String {
        let mut s = String::new();
        if let Some(t) = front.filter(|t| !t.is_empty()) {
            s.push_str(t);
            s.push(' ');
        }
        s.push_str(name);
        if let Some(t) = back.filter(|t| !t.is_empty()) {
            s.push_str(", ");
            s.push_str(t);
        }
        s
    }
}

/// The history tables share one shape: an id, the employee, their own columns.
macro_rules! history_entity {
    ($module:ident, $table:literal { $($field:ident : $ty:ty),+ $(,)? }) => {
        pub mod $module {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
            #[sea_orm(table_name = $table)]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i64,
                pub employee_id: Uuid,
                $(pub $field: $ty),+
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}

history_entity!(rank_history, "rank_histories" {
    rank_code: String, tmt: Date, decree_number: String, decree_date: Date,
});
history_entity!(position_history, "position_histories" {
    position_id: Option<Uuid>, position_title: String, unit_name: String, tmt: Date,
    decree_number: String,
});
history_entity!(education_history, "education_histories" {
    level: String, institution: String, major: Option<String>, graduation_year: i32,
    diploma_number: Option<String>,
});
history_entity!(training_history, "training_histories" {
    name: String, organizer: String, start_date: Date, end_date: Date, hours: i32,
});
history_entity!(performance_rating, "performance_ratings" { year: i32, rating: String });
history_entity!(award, "awards" { name: String, decree_number: String, year: i32 });
history_entity!(family_member, "family_members" {
    relation: String, name: String, gender: String, birth_date: Date, nik: Option<String>,
});
history_entity!(disciplinary_sanction, "disciplinary_sanctions" {
    level: String, decree_number: String, starts_on: Date, ends_on: Option<Date>,
});
history_entity!(competency, "competencies" {
    name: String, level: String, assessed_on: Date, assessor: String,
});
history_entity!(organisation_experience, "organisation_experiences" {
    organisation: String, role: String, start_year: i32, end_year: Option<i32>,
});
history_entity!(salary_history, "salary_histories" {
    basic_salary: i64, rank_code: String, service_years: i32, tmt: Date, decree_number: String,
});

/// A verified document in the employee's archive (Pergub Jatim 73/2020 Pasal 22): its file is
/// an attachment kept for as long as the archive holds it.
pub mod archive_document {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "archive_documents")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub employee_id: Uuid,
        /// An [`abdi_proto::archive::ArchiveKind`] code.
        pub kind: String,
        pub attachment_id: Uuid,
        pub proposal_id: Option<Uuid>,
        pub verified_by: Option<Uuid>,
        pub verified_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
