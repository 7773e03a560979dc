//! `tokenbench serve`: a local auth endpoint that client apps call for tokens, minted with the
//! same forms and credentials as the workbench. It hosts every platform's routes (each declared
//! in its platform's folder) and adds what an endpoint left running with real credentials needs:
//! its own Host names only, JSON bodies only, localhost CORS, timeouts, a cap on connections,
//! bounded inputs and an optional bearer token.
//!
//! The server runs tokio on a thread of its own, so a synchronous caller (the CLI, the TUI)
//! starts it with [`start`], swaps its settings with [`ServeHandle::reconfigure`] while it runs,
//! drains what it answered with [`ServeHandle::drain_requests`], and ends it with
//! [`ServeHandle::stop`].

mod http;
mod log;
mod routes;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use log::{CAPACITY as LOG_CAPACITY, RequestLog, RequestRecord, TOKEN_PREFIX_CHARS};

use crate::clock::Clock;
use crate::platform::{self, Credentials, Form, Platform, Prepared};
use crate::secret::Secret;

/// The port `tokenbench serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8787;
/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;
/// How long [`ServeHandle::stop`] lets requests in flight finish before closing their connections.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// What one platform's routes mint with: the form (a request's own fields are laid over it)
/// and the credentials.
#[derive(Clone, Debug)]
pub struct PlatformConfig {
    pub platform: &'static dyn Platform,
    pub form: Form,
    pub credentials: Credentials,
}

impl PlatformConfig {
    /// The platform's default form and demo credentials.
    pub fn demo(platform: &'static dyn Platform) -> Self {
        PlatformConfig {
            platform,
            form: platform.default_form(),
            credentials: platform.demo_credentials(),
        }
    }
}

/// Everything the endpoint mints with, one entry per platform in the registry's order;
/// replaceable while it runs.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub platforms: Vec<PlatformConfig>,
    /// The time tokens are minted at (and requests logged at).
    pub clock: Clock,
}

impl ServeConfig {
    /// Default forms and demo credentials for every platform.
    pub fn demo(clock: Clock) -> Self {
        ServeConfig {
            platforms: platform::ALL
                .iter()
                .map(|p| PlatformConfig::demo(*p))
                .collect(),
            clock,
        }
    }

    /// The settings of the platform with this id.
    pub fn get(&self, id: &str) -> Option<&PlatformConfig> {
        self.platforms.iter().find(|c| c.platform.id() == id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut PlatformConfig> {
        self.platforms.iter_mut().find(|c| c.platform.id() == id)
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

/// How long and how much a connection may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// A request's headers must arrive within this, and an idle keep-alive connection is closed
    /// after it.
    pub header_timeout: Duration,
    /// A request's body must arrive within this.
    pub body_timeout: Duration,
    /// Connections open at once; one more is answered 503 and closed.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 256,
        }
    }
}

/// Where to listen and whom to answer.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub bind: SocketAddr,
    pub cors: CorsPolicy,
    pub limits: Limits,
    /// A bearer token every route but `/healthz` requires, when set.
    pub require_token: Option<Secret>,
}

impl ServeOptions {
    /// Loopback only, on `port` (0 picks a free one), localhost origins, default limits.
    pub fn local(port: u16) -> Self {
        ServeOptions {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            cors: CorsPolicy::Localhost,
            limits: Limits::default(),
            require_token: None,
        }
    }
}

/// Whether serving on this address exposes the endpoint beyond this machine.
pub fn is_exposed(bind: &SocketAddr) -> bool {
    !bind.ip().is_loopback()
}

/// Every route of every platform, with its platform: for banners, help and the 404 answer.
pub fn routes() -> Vec<(&'static dyn Platform, &'static platform::endpoint::Route)> {
    platform::ALL
        .iter()
        .flat_map(|p| p.routes().iter().map(move |r| (*p, r)))
        .collect()
}

/// One platform, ready to mint: its signer is built once, not per request.
struct Ready {
    prepared: Prepared,
    form: Form,
}

impl Ready {
    fn new(config: PlatformConfig, now: DateTime<Utc>) -> Result<Self, String> {
        let id = config.platform.id();
        let prepared =
            Prepared::new(config.platform, config.credentials).map_err(|e| format!("{id}: {e}"))?;
        // A form that cannot mint would fail every request: say so now, once.
        prepared
            .mint_at(&config.form, now, false)
            .map_err(|e| format!("{id}: {e}"))?;
        Ok(Ready {
            prepared,
            form: config.form,
        })
    }

    /// Whether a signature costs enough (RSA) to be made off the async workers.
    fn is_slow(&self) -> bool {
        self.prepared.signer().is_slow()
    }
}

/// The platforms' settings in force, in the registry's order, swapped whole by
/// [`ServeHandle::reconfigure`].
struct Settings {
    ready: Vec<Ready>,
}

impl Settings {
    fn new(config: ServeConfig) -> Result<(Self, Clock), String> {
        let now = config.clock.now();
        let mut ready = Vec::new();
        for platform in platform::ALL {
            let settings = config
                .platforms
                .iter()
                .find(|c| c.platform.id() == platform.id())
                .cloned()
                .unwrap_or_else(|| PlatformConfig::demo(*platform));
            ready.push(Ready::new(settings, now)?);
        }
        Ok((Settings { ready }, config.clock))
    }
}

/// What the request handlers share.
struct Shared {
    settings: RwLock<Arc<Settings>>,
    clock: RwLock<Clock>,
    log: RequestLog,
    /// Slow signatures made at once, off the async workers; the rest wait their turn.
    signing: tokio::sync::Semaphore,
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
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let shared = Arc::new(Shared {
        settings: RwLock::new(Arc::new(settings)),
        clock: RwLock::new(clock),
        log: RequestLog::default(),
        // Two signatures a core in flight: while one thread hands its token back to the async
        // task and takes the next, another signs (one a core left cores idle at each hand-off:
        // 2 662–2 858 RS256 req/s against 3 620–3 880, interleaved runs of examples/serve_load).
        signing: tokio::sync::Semaphore::new(cores * 2),
    });
    http::raise_descriptor_limit();
    let listener = std::net::TcpListener::bind(options.bind).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
            ": another program listens there; choose another port (--port N, or 0 for any free one)"
        } else {
            ""
        };
        format!("cannot listen on {}: {e}{hint}", options.bind)
    })?;
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
    let app = routes::router(Arc::clone(&shared), &options, local_addr);
    let limits = options.limits;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let thread = std::thread::Builder::new()
        .name("tokenbench-serve".into())
        .spawn(move || {
            runtime.block_on(http::serve(listener, app, stopped, limits, STOP_GRACE));
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

/// The platforms whose tokens, minted from their settings at the configured time, would already
/// be expired now (the real clock): `serve --now` set too far back hands out dead tokens.
pub fn expired_at_start(config: &ServeConfig, real_now: DateTime<Utc>) -> Vec<String> {
    let now = config.clock.now();
    config
        .platforms
        .iter()
        .filter_map(|settings| {
            let prepared = Prepared::new(settings.platform, settings.credentials.clone()).ok()?;
            let token = prepared.mint_at(&settings.form, now, false).ok()?;
            let exp = crate::token::inspect(&token).ok()?.expires_at()?;
            (exp <= real_now).then(|| {
                format!(
                    "{}: its tokens expire at {}, before the real time now",
                    settings.platform.id(),
                    exp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                )
            })
        })
        .collect()
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
        let settings = &mut config.platforms[0];
        let id = settings.platform.id();
        let role = settings
            .platform
            .fields()
            .iter()
            .position(|f| f.id == "role")
            .expect("the first platform has a role");
        *settings.form.value_mut(role).unwrap() = platform::FieldValue::Text("boss".into());
        let error = start(config, ServeOptions::local(0))
            .err()
            .expect("refused");
        assert!(
            error.starts_with(&format!("{id}: 'boss' is not")),
            "{error}"
        );
        assert!(ServeConfig::demo(Clock::system()).get("nothing").is_none());
    }

    #[test]
    fn only_loopback_counts_as_not_exposed() {
        assert!(!is_exposed(&ServeOptions::local(8787).bind));
        assert!(!is_exposed(&"[::1]:8787".parse().unwrap()));
        assert!(is_exposed(&"0.0.0.0:8787".parse().unwrap()));
        assert!(is_exposed(&"192.168.1.5:8787".parse().unwrap()));
    }

    #[test]
    fn a_clock_far_in_the_past_is_named_before_serving() {
        let past = DateTime::from_timestamp(1_000_000_000, 0).unwrap();
        let config = ServeConfig::demo(Clock::manual(past));
        let expired = expired_at_start(&config, Utc::now());
        assert_eq!(expired.len(), platform::ALL.len(), "{expired:?}");
        assert!(expired_at_start(&ServeConfig::demo(Clock::system()), Utc::now()).is_empty());
    }
}
