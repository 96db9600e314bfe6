//! Database entity of leave bookings: the days a leave request holds while it is decided, and
//! takes once approved.

pub mod leave_booking {
    use abdi_proto::leave::BookingState;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "leave_bookings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub request_id: Uuid,
        pub employee_id: Uuid,
        pub kind: String,
        pub start_date: Date,
        pub end_date: Date,
        pub days: i32,
        pub year: i32,
        pub state: BookingState,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
