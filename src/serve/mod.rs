//! `tokenbench serve`: a local auth endpoint that client apps call for tokens, minted with the
//! same forms and credentials as the workbench (a front end: nothing depends on it).
//!
//! The server runs tokio on a thread of its own, so a synchronous caller (the CLI, the TUI)
//! starts it with [`start`], swaps its settings with [`ServeHandle::reconfigure`] while it runs,
//! drains what it answered with [`ServeHandle::drain_requests`], and ends it with
//! [`ServeHandle::stop`].
//!
//! A workbench keeps the [`ServeHandle`] (it is `Send`): it builds a [`ServeConfig`] from its four
//! forms and credentials plus its clock, calls [`start`] with [`ServeOptions::local`], calls
//! [`ServeHandle::reconfigure`] when a form changes and [`ServeHandle::set_clock`] when its
//! virtual clock moves, drains [`RequestRecord`]s on each tick, and inspects a record's `token`
//! with [`crate::report::inspect`].

mod log;
mod routes;
pub mod zoom_sample;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use log::{CAPACITY as LOG_CAPACITY, RequestLog, RequestRecord, TOKEN_PREFIX_CHARS};

use crate::clock::Clock;
use crate::platform::{self, Credentials, Form, MintContext, Platform};
use crate::token::Signer;

/// The port `tokenbench serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8787;
/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;
/// How long [`ServeHandle::stop`] lets requests in flight finish before closing their connections.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// The routes, for help text and listings: method, path, platform id (or `None`).
pub const ROUTES: [(&str, &str, Option<&str>); 5] = [
    ("POST", "/zoom", Some("zoom")),
    ("GET", "/relaybox/auth", Some("relaybox")),
    ("POST", "/vonage/token", Some("vonage")),
    ("POST", "/opentok/token", Some("opentok")),
    ("GET", "/healthz", None),
];

/// What one platform's route mints with: the workbench form (the request's own fields are laid
/// over it) and the credentials.
#[derive(Clone, Debug)]
pub struct PlatformConfig {
    pub form: Form,
    pub credentials: Credentials,
}

impl PlatformConfig {
    /// The platform's default form and demo credentials.
    pub fn demo(platform: &dyn Platform) -> Self {
        PlatformConfig {
            form: platform.default_form(),
            credentials: platform.demo_credentials(),
        }
    }
}

/// Everything the endpoint mints with; replaceable while it runs.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub zoom: PlatformConfig,
    pub vonage: PlatformConfig,
    pub opentok: PlatformConfig,
    pub relaybox: PlatformConfig,
    /// The time tokens are minted at (and requests logged at).
    pub clock: Clock,
}

impl ServeConfig {
    /// Default forms and demo credentials for every platform.
    pub fn demo(clock: Clock) -> Self {
        ServeConfig {
            zoom: PlatformConfig::demo(&platform::zoom::Zoom),
            vonage: PlatformConfig::demo(&platform::vonage::Vonage),
            opentok: PlatformConfig::demo(&platform::opentok::Opentok),
            relaybox: PlatformConfig::demo(&platform::relaybox::Relaybox),
            clock,
        }
    }

    /// The settings of the platform with this id (`zoom`, `vonage`, `opentok`, `relaybox`).
    pub fn platform(&self, id: &str) -> Option<&PlatformConfig> {
        match id {
            "zoom" => Some(&self.zoom),
            "vonage" => Some(&self.vonage),
            "opentok" => Some(&self.opentok),
            "relaybox" => Some(&self.relaybox),
            _ => None,
        }
    }

    pub fn platform_mut(&mut self, id: &str) -> Option<&mut PlatformConfig> {
        match id {
            "zoom" => Some(&mut self.zoom),
            "vonage" => Some(&mut self.vonage),
            "opentok" => Some(&mut self.opentok),
            "relaybox" => Some(&mut self.relaybox),
            _ => None,
        }
    }
}

/// Which browser origins may call the endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CorsPolicy {
    /// `http(s)://localhost`, `127.0.0.1` or `[::1]`, on any port: a client under development.
    #[default]
    Localhost,
    /// Exactly these origins (`https://app.example.com`).
    Origins(Vec<String>),
    /// Any origin (`*`).
    Any,
}

/// Where to listen and whom to answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeOptions {
    pub bind: SocketAddr,
    pub cors: CorsPolicy,
}

impl ServeOptions {
    /// Loopback only, on `port` (0 picks a free one), localhost origins.
    pub fn local(port: u16) -> Self {
        ServeOptions {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            cors: CorsPolicy::Localhost,
        }
    }
}

/// Whether serving on this address exposes the endpoint beyond this machine.
pub fn is_exposed(bind: &SocketAddr) -> bool {
    !bind.ip().is_loopback()
}

/// One platform, ready to mint: its signer is built once, not per request (RSA keys are slow to parse).
struct Ready {
    platform: &'static dyn Platform,
    form: Form,
    credentials: Credentials,
    signer: Signer,
}

impl Ready {
    fn new(
        platform: &'static dyn Platform,
        config: PlatformConfig,
        now: DateTime<Utc>,
    ) -> Result<Self, String> {
        let signer = platform
            .signer(&config.credentials)
            .map_err(|e| format!("{}: {e}", platform.id()))?;
        let ready = Ready {
            platform,
            form: config.form,
            credentials: config.credentials,
            signer,
        };
        // A form that cannot mint would fail every request: say so now, once.
        ready
            .mint(&ready.form, now)
            .map_err(|e| format!("{}: {e}", platform.id()))?;
        Ok(ready)
    }

    /// Mints with `form` (this platform's form with a request laid over it) at `now`.
    fn mint(&self, form: &Form, now: DateTime<Utc>) -> Result<Minted, String> {
        let mut rng = rand::thread_rng();
        let token = self.platform.mint(
            form,
            &self.credentials,
            &self.signer,
            &mut MintContext { now, rng: &mut rng },
        )?;
        let decoded = crate::token::inspect(&token)?;
        Ok(Minted {
            issued_at: decoded.issued_at(),
            expires_at: decoded.expires_at(),
            token,
        })
    }
}

struct Minted {
    token: String,
    issued_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
}

/// The platforms' settings in force, swapped whole by [`ServeHandle::reconfigure`].
struct Settings {
    zoom: Ready,
    vonage: Ready,
    opentok: Ready,
    relaybox: Ready,
}

impl Settings {
    fn new(config: ServeConfig) -> Result<(Self, Clock), String> {
        let now = config.clock.now();
        let settings = Settings {
            zoom: Ready::new(&platform::zoom::Zoom, config.zoom, now)?,
            vonage: Ready::new(&platform::vonage::Vonage, config.vonage, now)?,
            opentok: Ready::new(&platform::opentok::Opentok, config.opentok, now)?,
            relaybox: Ready::new(&platform::relaybox::Relaybox, config.relaybox, now)?,
        };
        Ok((settings, config.clock))
    }
}

/// What the request handlers share.
struct Shared {
    settings: RwLock<Arc<Settings>>,
    clock: RwLock<Clock>,
    log: RequestLog,
}

impl Shared {
    /// The settings in force and the time now, read together for one request.
    fn snapshot(&self) -> (Arc<Settings>, DateTime<Utc>) {
        let settings = self
            .settings
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (Arc::clone(&settings), self.now())
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .now()
    }

    fn replace(&self, (settings, clock): (Settings, Clock)) {
        *self
            .settings
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(settings);
        self.set_clock(clock);
    }

    fn set_clock(&self, clock: Clock) {
        *self
            .clock
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = clock;
    }
}

/// A running endpoint. Dropping it stops the server too.
pub struct ServeHandle {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    thread: Option<JoinHandle<()>>,
}

/// Starts the endpoint on a thread of its own and returns once it listens. The error is one
/// sentence: a form that cannot mint, a secret of the wrong shape, an address already in use.
pub fn start(config: ServeConfig, options: ServeOptions) -> Result<ServeHandle, String> {
    let (settings, clock) = Settings::new(config)?;
    let shared = Arc::new(Shared {
        settings: RwLock::new(Arc::new(settings)),
        clock: RwLock::new(clock),
        log: RequestLog::default(),
    });
    let listener = std::net::TcpListener::bind(options.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", options.bind))?;
    let local_addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the address listened on: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot listen on {local_addr}: {e}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("tokenbench-serve")
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot start the server's runtime: {e}"))?;
    let listener = {
        let _context = runtime.enter();
        tokio::net::TcpListener::from_std(listener)
            .map_err(|e| format!("cannot listen on {local_addr}: {e}"))?
    };
    let app = routes::router(Arc::clone(&shared), &options.cors);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let thread = std::thread::Builder::new()
        .name("tokenbench-serve".into())
        .spawn(move || {
            runtime.block_on(routes::serve(listener, app, stopped, STOP_GRACE));
            runtime.shutdown_timeout(STOP_GRACE);
        })
        .map_err(|e| format!("cannot start the server thread: {e}"))?;
    Ok(ServeHandle {
        shared,
        local_addr,
        stop: Some(stop),
        thread: Some(thread),
    })
}

impl ServeHandle {
    /// The address listened on (with the port chosen when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://127.0.0.1:8787`, the base URL clients call.
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Replaces the forms, credentials and clock for the requests that follow. On error the
    /// settings in force stay.
    pub fn reconfigure(&self, config: ServeConfig) -> Result<(), String> {
        self.shared.replace(Settings::new(config)?);
        Ok(())
    }

    /// Replaces only the clock (the workbench's virtual clock moved).
    pub fn set_clock(&self, clock: Clock) {
        self.shared.set_clock(clock);
    }

    /// The requests answered since the last drain, oldest first.
    pub fn drain_requests(&self) -> Vec<RequestRecord> {
        self.shared.log.drain()
    }

    /// Waits up to `timeout` for requests, then drains them.
    pub fn wait_for_requests(&self, timeout: Duration) -> Vec<RequestRecord> {
        self.shared.log.wait_and_drain(timeout)
    }

    /// Requests dropped from the log because it was not drained in time.
    pub fn dropped_requests(&self) -> u64 {
        self.shared.log.dropped()
    }

    /// Whether the server thread still runs.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops listening, lets requests in flight finish (briefly), and waits for the thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ServeHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_front_end_can_keep_the_handle_on_any_thread() {
        fn send_and_sync<T: Send + Sync>() {}
        send_and_sync::<ServeHandle>();
        send_and_sync::<ServeConfig>();
    }

    #[test]
    fn a_form_that_cannot_mint_is_refused_at_start_with_its_platform() {
        let mut config = ServeConfig::demo(Clock::system());
        config
            .platform_mut("opentok")
            .expect("opentok is a platform")
            .form
            .role = "boss".into();
        let error = start(config, ServeOptions::local(0))
            .err()
            .expect("refused");
        assert!(
            error.starts_with("opentok: 'boss' is not a role"),
            "{error}"
        );
        assert!(
            ServeConfig::demo(Clock::system())
                .platform("agora")
                .is_none()
        );
    }

    #[test]
    fn only_loopback_counts_as_not_exposed() {
        assert!(!is_exposed(&ServeOptions::local(8787).bind));
        assert!(!is_exposed(&"[::1]:8787".parse().unwrap()));
        assert!(is_exposed(&"0.0.0.0:8787".parse().unwrap()));
        assert!(is_exposed(&"192.168.1.5:8787".parse().unwrap()));
    }
}
