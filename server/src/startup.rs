//! Builds the application from configuration, binds, serves, and shuts down gracefully.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::clock::{SharedClock, SystemClock};
use crate::config::Config;
use crate::documents::{Documents, Letters};
use crate::email::{EmailError, Mailer};
use crate::identity::Identity;
use crate::leave::LeaveRules;
use crate::notifications::RequestNews;
use crate::reference::ReferenceService;
use crate::reference::calendar_data::{self, CalendarDataError};
use crate::services::Services;
use crate::services::events::Subscribers;
use crate::services::rules::{Registry, ServiceRules};
use crate::state::AppState;
use crate::store::db::{self, DbError};
use crate::store::objects::Objects;
use crate::store::shared::{SharedStore, SharedStoreError};
use crate::study::{StudyKind, StudyRules};
use abdi_proto::leave::LeaveKind;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    SharedStore(#[from] SharedStoreError),
    #[error(transparent)]
    Calendar(#[from] CalendarDataError),
    #[error(transparent)]
    Email(#[from] EmailError),
    #[error(transparent)]
    Catalogue(#[from] crate::services::catalogue::CatalogueError),
    #[error(transparent)]
    Storage(#[from] crate::store::objects::ObjectError),
    #[error(transparent)]
    Passkeys(#[from] crate::identity::passkeys::WebauthnConfigError),
    #[error(transparent)]
    Push(#[from] crate::notifications::push::PushConfigError),
    #[error("documents: {0}")]
    Documents(String),
    #[error("{0}")]
    Config(String),
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

/// What a deployment plugs in that configuration cannot name.
#[derive(Default, Clone)]
pub struct Providers {
    /// Decodes platform attestation tokens (Play Integrity, App Attest); with none, a token a
    /// check-in carries is not checked.
    pub attestation: Option<crate::attendance::attestation::SharedAttestation>,
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, StartupError> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// Connects to the database and the session store (failing with one clear error if either
    /// is down), applies migrations if configured, loads the shipped reference data, binds.
    pub async fn build_with_clock(
        config: Config,
        clock: SharedClock,
    ) -> Result<Application, StartupError> {
        Self::build_with(config, clock, Providers::default()).await
    }

    /// [`Application::build_with_clock`] with the providers code plugs in.
    pub async fn build_with(
        config: Config,
        clock: SharedClock,
        providers: Providers,
    ) -> Result<Application, StartupError> {
        let db = db::connect(&config.database).await?;
        if config.database.migrate_on_start {
            prepare_database(&db, &clock).await?;
        }
        let sessions = SharedStore::connect(&config.sessions, clock.clone()).await?;
        let addr = config.server.listen;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| StartupError::Bind {
                addr,
                reason: e.to_string(),
            })?;
        let local = config.identity.public_url.contains("://localhost")
            || config.identity.public_url.contains("://127.0.0.1");
        let mailer = Mailer::from_config(&config.email, local)?;
        let identity = Identity::new(&config, db.clone(), sessions.clone(), mailer, clock.clone())?;
        let objects = Objects::from_config(&config.storage)?;
        let letters = Letters::new(&config.documents, &config.identity.public_url);
        let (signer, trust) =
            crate::documents::signer::from_config(&config.documents, clock.clone())
                .map_err(|e| StartupError::Documents(e.to_string()))?;
        let documents = Documents::new(
            db.clone(),
            objects.clone(),
            clock.clone(),
            (signer, trust),
            letters,
            crate::documents::VerifyGate::new(sessions.clone(), &config.documents),
        );
        let waker = crate::notifications::Waker::default();
        // The engine's subscribers, told of every change in its transaction.
        let services = Services::new(
            db.clone(),
            objects,
            clock.clone(),
            service_rules(),
            Subscribers::new(vec![
                Arc::new(documents.clone()),
                // After the letters: a granted case's sanction takes its decree's number.
                Arc::new(crate::discipline::SanctionRecorder),
                // After the letters: a granted data request's client names its decree.
                Arc::new(crate::sharing::requests::GrantedRequests),
                Arc::new(crate::attendance::excuses::Granted),
                Arc::new(RequestNews::new(waker.clone())),
            ]),
        );
        let push = crate::notifications::push::Push::from_config(&config.notifications)?;
        let hub = crate::notifications::stream::Hub::start(
            sessions.clone(),
            Duration::from_secs(config.sessions.redis_timeout_ms.div_ceil(1000).max(3)),
        )
        .await;
        let notifications = crate::notifications::Notifications::new(
            db.clone(),
            clock.clone(),
            &config.notifications,
            push,
            identity.activation.mailer.clone(),
            Arc::new(identity.sessions.clone()),
            hub,
            waker.clone(),
            &config.identity.public_url,
        );
        let bkn: Option<Arc<dyn crate::promotion::bkn::Bkn>> = match &config.promotion.bkn {
            Some(c) => Some(
                crate::promotion::bkn::Siasn::new(c.clone(), clock.clone())
                    .map_err(|e| StartupError::Config(format!("promotion.bkn: {e}")))?,
            ),
            None => None,
        };
        let promotion = crate::promotion::Promotion::new(
            services.clone(),
            documents.clone(),
            bkn,
            config.promotion.clone(),
            waker.clone(),
        );
        let sharing = crate::sharing::Sharing::new(
            db.clone(),
            sessions.clone(),
            clock.clone(),
            config.sharing.clone(),
            &config.identity.public_url,
        );
        let attendance = crate::attendance::Attendance::new(
            db.clone(),
            sessions.clone(),
            clock.clone(),
            config.attendance.clone(),
        )
        .with_attestation(providers.attestation);
        let place = config.documents.place.clone();
        let email_domains = config.identity.allowed_email_domains.clone();
        let state = AppState::new(crate::state::Parts {
            config: Arc::new(config),
            clock: clock.clone(),
            reference: ReferenceService::new(db.clone()),
            records: crate::record::Records::new(db.clone(), clock.clone(), place),
            updates: crate::updates::Updates::new(db.clone(), clock.clone(), &notifications),
            reminders: crate::reminders::Reminders::new(db.clone(), clock.clone(), &notifications),
            agency: crate::agency::Agency::new(
                db.clone(),
                identity.clone(),
                notifications.clone(),
                services.clone(),
                email_domains,
            ),
            identity,
            access: crate::access::Access::new(db.clone()),
            services,
            documents,
            notifications,
            promotion,
            sharing,
            attendance,
            db,
            sessions,
        });
        Ok(Application { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| self.state.config.server.listen)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then stops accepting connections and lets in-flight
    /// requests finish, for at most the configured grace period.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let grace = self.state.config.shutdown_grace();
        let addr = self.local_addr();
        let worker = self
            .state
            .config
            .notifications
            .worker
            .then(|| self.state.notifications.spawn_worker());
        let sweeper = self.state.services.spawn_upload_sweeper(
            (&self.state.config.storage).into(),
            Duration::from_secs(15 * 60),
        );
        let reminders = self.state.reminders.spawn_daily();
        let absence = self.state.attendance.spawn_nightly();
        let profiles = self.state.identity.profiles.listen(&self.state.db);
        let promotion = self
            .state
            .config
            .promotion
            .worker
            .then(|| self.state.promotion.spawn_worker());
        let router = crate::http::router(self.state);
        let (signalled_tx, signalled_rx) = tokio::sync::oneshot::channel::<()>();
        let serve = axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: finishing in-flight requests");
            let _ = signalled_tx.send(());
        });
        tracing::info!(%addr, "listening");
        tokio::select! {
            result = serve.into_future() => result,
            () = grace_expired(signalled_rx, grace) => {
                tracing::warn!(grace_secs = grace.as_secs(), "grace period over; stopping with requests still running");
                Ok(())
            }
        }?;
        if let Some(worker) = worker {
            // Deliveries it was sending are sent again by another worker after their lease.
            worker.abort();
        }
        sweeper.abort();
        reminders.abort();
        absence.abort();
        if let Some(p) = profiles {
            p.abort();
        }
        if let Some(p) = promotion {
            // A call it was making is made again by a worker after the proposal's lease.
            p.abort();
        }
        tracing::info!("stopped");
        Ok(())
    }
}

async fn grace_expired(signalled: tokio::sync::oneshot::Receiver<()>, grace: Duration) {
    if signalled.await.is_ok() {
        tokio::time::sleep(grace).await;
    } else {
        std::future::pending::<()>().await;
    }
}

/// Migrations plus the shipped reference data: what `migrate` does and `serve` does first.
/// On PostgreSQL an advisory lock makes instances that start together take turns.
pub async fn prepare_database(
    db: &sea_orm::DatabaseConnection,
    clock: &SharedClock,
) -> Result<(), StartupError> {
    let lock = db::StartupLock::acquire(db).await?;
    db::migrate(db).await?;
    calendar_data::load_shipped(db, clock.now()).await?;
    crate::services::catalogue::load_shipped(db, clock.now()).await?;
    lock.release().await?;
    Ok(())
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// The rules of every service this build has, by the name catalogue entries give them.
pub fn service_rules() -> Registry {
    let leave = LeaveKind::ALL.map(|kind| {
        let rules: Arc<dyn ServiceRules> = Arc::new(LeaveRules::new(kind));
        (format!("leave.{}", kind.code()), rules)
    });
    let study = [
        ("study.izin_belajar", StudyKind::IzinBelajar),
        ("study.tugas_belajar", StudyKind::TugasBelajar),
    ]
    .map(|(name, kind)| {
        let rules: Arc<dyn ServiceRules> = Arc::new(StudyRules::new(kind));
        (name.to_owned(), rules)
    });
    let cases: [(String, Arc<dyn ServiceRules>); 6] = [
        (
            crate::promotion::RULES.to_owned(),
            Arc::new(crate::promotion::rules::SkRules),
        ),
        (
            crate::discipline::RULES.to_owned(),
            Arc::new(crate::discipline::CaseRules),
        ),
        (
            crate::credit::RULES.to_owned(),
            Arc::new(crate::credit::CreditRules),
        ),
        (
            crate::sharing::requests::RULES.to_owned(),
            Arc::new(crate::sharing::requests::RequestRules),
        ),
        (
            crate::attendance::excuses::TRAVEL.to_owned(),
            Arc::new(crate::attendance::excuses::TravelRules),
        ),
        (
            crate::attendance::excuses::CORRECTION.to_owned(),
            Arc::new(crate::attendance::excuses::CorrectionRules),
        ),
    ];
    Registry::new(leave.into_iter().chain(study).chain(cases))
}
