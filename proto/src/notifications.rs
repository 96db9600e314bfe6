//! Notifications: the in-app inbox, push devices, channel preferences and the live event
//! stream. One [`Notification`] is what a civil servant reads in the inbox, on the lock screen
//! (push), in an email and on the event stream: the same words everywhere.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Text;
use crate::services::{Outcome, RequestStatus};

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A request of the employee changed status.
    RequestStatus,
    /// A passkey was added to the account (security: cannot be switched off).
    PasskeyAdded,
    /// A new device was registered for push messages (security: cannot be switched off).
    NewDevice,
    /// A request waits for the recipient: to verify it, recommend on it or decide it.
    ActionRequired,
    /// A request waits and nobody may act on it today (a vacant post with no Plt/Plh in
    /// their window, a unit with no fasilitator): for administrators, who can appoint one.
    PostVacant,
    /// A role ended without a decree of its own (a fasilitator moved to another unit): for
    /// administrators, who appoint a successor.
    RoleEnded,
    /// The holiday calendar changed on a day an open request covers: for its fasilitators,
    /// who check its working days.
    CalendarChanged,
    /// A proposal to change the record was returned, verified or rejected (for the employee),
    /// or waits to be verified (for its verifiers).
    RecordUpdate,
    /// A date-driven service falls due soon (the next periodic raise, retirement, a service
    /// anniversary): for the employee and their fasilitator.
    DueDate,
    /// A promotion proposal moved: sent to BKN, returned (BTS) with its reasons, given its
    /// Pertek, or the new rank took effect (for the employee and the fasilitator).
    Promotion,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 10] = [
        Self::RequestStatus,
        Self::PasskeyAdded,
        Self::NewDevice,
        Self::ActionRequired,
        Self::PostVacant,
        Self::RoleEnded,
        Self::CalendarChanged,
        Self::RecordUpdate,
        Self::DueDate,
        Self::Promotion,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::RequestStatus => "request_status",
            Self::PasskeyAdded => "passkey_added",
            Self::NewDevice => "new_device",
            Self::ActionRequired => "action_required",
            Self::PostVacant => "post_vacant",
            Self::RoleEnded => "role_ended",
            Self::CalendarChanged => "calendar_changed",
            Self::RecordUpdate => "record_update",
            Self::DueDate => "due_date",
            Self::Promotion => "promotion",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Security messages go out on every channel whatever the preferences say.
    pub fn is_security(self) -> bool {
        matches!(self, Self::PasskeyAdded | Self::NewDevice)
    }
}

/// One message in the inbox; also the `data` of an event on the stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    /// Increases with every notification; the stream's event id (`Last-Event-ID`).
    pub id: i64,
    pub kind: NotificationKind,
    pub security: bool,
    pub title: Text,
    pub body: Text,
    /// The request it is about, with its new status (and outcome once decided), so the app can
    /// refresh that request.
    pub request_id: Option<Uuid>,
    pub status: Option<RequestStatus>,
    pub outcome: Option<Outcome>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of the inbox, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inbox {
    pub items: Vec<Notification>,
    pub unread: u64,
    /// Pass as `after` for the next (older) page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadCount {
    pub unread: u64,
}

/// Marks notifications read: the listed ids, or every one up to and including `up_to`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// 1 to 500 notification ids.
    #[serde(default)]
    pub ids: Vec<i64>,
    #[serde(default)]
    pub up_to: Option<i64>,
}

/// `ids` (1 to 500), `up_to`, or both: the schema says what the server enforces.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for MarkRead {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AdditionalProperties, AllOfBuilder, AnyOfBuilder, ArrayBuilder, KnownFormat,
            ObjectBuilder, SchemaFormat, Type,
        };
        let id = || {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        };
        let fields = ObjectBuilder::new()
            .property(
                "ids",
                ArrayBuilder::new()
                    .items(id())
                    .min_items(Some(1))
                    .max_items(Some(500))
                    .description(Some("1 to 500 notification ids")),
            )
            .property(
                "up_to",
                id().description(Some("Every notification up to and including this id")),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let one_of_them = AnyOfBuilder::new()
            .item(ObjectBuilder::new().required("ids"))
            .item(ObjectBuilder::new().required("up_to"));
        AllOfBuilder::new()
            .description(Some(
                "Marks notifications read: the listed ids, or every one up to and including `up_to`.",
            ))
            .item(fields)
            .item(one_of_them)
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for MarkRead {}

/// A phone's push service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PushPlatform {
    /// Firebase Cloud Messaging (Android).
    Fcm,
    /// Apple Push Notification service (iPhone).
    Apns,
}

impl PushPlatform {
    pub fn code(self) -> &'static str {
        match self {
            Self::Fcm => "fcm",
            Self::Apns => "apns",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Fcm, Self::Apns]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

/// The push token of the device this session runs on. Registering again replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeviceRegistration {
    pub platform: PushPlatform,
    /// The FCM registration token or the APNs device token (hex, at least 64 characters):
    /// printable, no spaces, at most 512 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[!-~]{1,512}$", max_length = 512)
    )]
    pub token: String,
    /// The app's version, e.g. "1.4.2": 1 to 32 characters, not only spaces.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 32, pattern = r"\S")
    )]
    pub app_version: String,
}

/// A device registered for push messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Device {
    pub id: Uuid,
    pub platform: PushPlatform,
    pub app_version: String,
    pub device_name: String,
    /// The session it belongs to (ends with it).
    pub session_id: Uuid,
    /// True for the device of the session asking.
    pub current: bool,
    pub registered_at: DateTime<Utc>,
}

/// Which channels the employee wants news about their requests on. Security messages are sent
/// on every channel regardless; the inbox and the live stream always get everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    pub push: bool,
    pub email: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            push: true,
            email: true,
        }
    }
}

/// The keys of a push message's data payload (strings, as FCM requires).
pub mod push_data {
    /// The notification's id.
    pub const ID: &str = "abdi_id";
    pub const KIND: &str = "abdi_kind";
    pub const REQUEST_ID: &str = "request_id";
    pub const STATUS: &str = "status";
    pub const OUTCOME: &str = "outcome";
}
