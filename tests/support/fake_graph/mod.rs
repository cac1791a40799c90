//! A fake WhatsApp Business Cloud API (Meta's Graph API) on 127.0.0.1 for tests: the wire
//! format of `POST /{version}/{phone-number-id}/messages` (text, reply buttons, lists,
//! templates) checked against the API's limits, its answers and its errors (`{"error":
//! {"message","type","code","error_data":{"details"},"fbtrace_id"}}`), the 24-hour window,
//! the number's throughput and the per-recipient pace, and failures injected on demand.
//! Webhook payloads the way Meta posts them are built by `payloads`.
//!
//! Time comes from `tokio::time`, so a test may pause the clock; only `wait_until`'s give-up
//! deadline is real time, so a stuck test fails instead of hanging.
#![allow(dead_code)]

mod payloads;
mod server;

#[allow(unused_imports)]
pub use payloads::{
    button_reply, document_message, image_message, list_reply, location_message, payload, quick_reply, sign, status,
    sticker_message, text_message,
};

use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

pub const TOKEN: &str = "EAAG-test-token";
pub const PHONE_ID: &str = "109876543210";
pub const VERSION: &str = "v21.0";
pub const APP_SECRET: &str = "test-app-secret";
pub const VERIFY_TOKEN: &str = "test-verify-token";
pub const DISPLAY_NUMBER: &str = "6281100000000";

/// How long `wait_until` waits, in real time, before failing the test.
const WAIT_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);
const WINDOW: Duration = Duration::from_secs(24 * 3600);

/// A message the fake accepted.
#[derive(Debug, Clone)]
pub struct Sent {
    pub to: String,
    pub wamid: String,
    /// text, interactive or template
    pub kind: String,
    /// The whole request body.
    pub body: Value,
    pub at: Instant,
}

impl Sent {
    /// The text a person reads; for a template `template:<name>(<p1>|<p2>…)`.
    pub fn text(&self) -> String {
        match self.kind.as_str() {
            "text" => self.body["text"]["body"].as_str().unwrap_or_default().to_owned(),
            "interactive" => self.body["interactive"]["body"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            _ => {
                let params: Vec<String> = server::components(&self.body)
                    .iter()
                    .filter(|c| c["type"] == "body")
                    .flat_map(|c| c["parameters"].as_array().cloned().unwrap_or_default())
                    .filter_map(|p| p["text"].as_str().map(str::to_owned))
                    .collect();
                format!("template:{}({})", self.template().unwrap_or_default(), params.join("|"))
            }
        }
    }

    /// (id, title) of reply buttons or list rows; (payload, "") of a template's quick replies.
    pub fn buttons(&self) -> Vec<(String, String)> {
        let i = &self.body["interactive"];
        let pair = |v: &Value, id: &str, title: &str| {
            (
                v[id].as_str().unwrap_or_default().to_owned(),
                v[title].as_str().unwrap_or_default().to_owned(),
            )
        };
        match (self.kind.as_str(), i["type"].as_str()) {
            ("interactive", Some("button")) => i["action"]["buttons"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|b| pair(&b["reply"], "id", "title"))
                .collect(),
            ("interactive", Some("list")) => i["action"]["sections"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|s| s["rows"].as_array().cloned().unwrap_or_default())
                .map(|r| pair(&r, "id", "title"))
                .collect(),
            ("template", _) => server::components(&self.body)
                .iter()
                .filter(|c| c["sub_type"] == "quick_reply")
                .filter_map(|c| {
                    c["parameters"][0]["payload"]
                        .as_str()
                        .map(|p| (p.to_owned(), String::new()))
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn template(&self) -> Option<String> {
        self.body["template"]["name"].as_str().map(str::to_owned)
    }
}

/// Every request, refused ones too.
#[derive(Debug, Clone)]
pub struct Request {
    pub to: String,
    pub kind: String,
    pub status: u16,
    pub code: Option<i64>,
    pub injected: bool,
    pub at: Instant,
}

/// How a free-form message outside the window is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowMode {
    /// 400 with 131047 at once.
    Immediate,
    /// Accepted, then a `failed` status with 131047 (take it with `take_statuses`).
    AsStatus,
}

pub(crate) struct State {
    sent: Vec<Sent>,
    requests: Vec<Request>,
    /// name → (body parameters, quick replies)
    templates: HashMap<String, (usize, usize)>,
    wrote: HashMap<String, Instant>,
    window_mode: WindowMode,
    statuses: Vec<Value>,
    throughput: usize,
    pair: (usize, Duration),
    /// (recipient or any, code)
    /// (to whom, code, sends to let through first)
    inject: VecDeque<(Option<String>, i64, usize)>,
    next_id: u64,
    /// Accepted sends' moments, overall and per recipient, for the limits.
    overall: VecDeque<Instant>,
    per: HashMap<String, VecDeque<Instant>>,
    peak_second: usize,
    peak_pair: usize,
    rate_errors: usize,
}

struct Shared {
    state: Mutex<State>,
    changed: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the fake's state from the others.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The fake server; it stops when dropped.
pub struct FakeWhatsApp {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl Drop for FakeWhatsApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeWhatsApp {
    pub async fn start() -> FakeWhatsApp {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind the fake Graph API");
        let addr = listener.local_addr().expect("its address");
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                sent: Vec::new(),
                requests: Vec::new(),
                templates: HashMap::new(),
                wrote: HashMap::new(),
                window_mode: WindowMode::Immediate,
                statuses: Vec::new(),
                throughput: 80,
                pair: (30, Duration::from_secs(180)),
                inject: VecDeque::new(),
                next_id: 1,
                overall: VecDeque::new(),
                per: HashMap::new(),
                peak_second: 0,
                peak_pair: 0,
                rate_errors: 0,
            }),
            changed: Notify::new(),
        });
        let app = axum::Router::new()
            .route("/{version}/{phone}/messages", axum::routing::post(server::messages))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeWhatsApp { shared, addr, server }
    }

    /// What `SIGAP_WA_API_URL` is set to: the server with the version.
    pub fn api_url(&self) -> String {
        format!("http://{}/{VERSION}", self.addr)
    }

    pub fn approve_template(&self, name: &str, body_params: usize, quick_replies: usize) {
        self.shared
            .lock()
            .templates
            .insert(name.into(), (body_params, quick_replies));
    }

    /// The person wrote to the business now: their 24-hour window opens.
    pub fn user_wrote(&self, wa_id: &str) {
        self.shared.lock().wrote.insert(wa_id.into(), Instant::now());
    }

    /// Meta has no record of the person writing (their window is closed).
    pub fn forget_user(&self, wa_id: &str) {
        self.shared.lock().wrote.remove(wa_id);
    }

    pub fn set_window_mode(&self, m: WindowMode) {
        self.shared.lock().window_mode = m;
    }

    /// Statuses the fake made (the elements of a webhook's `statuses`), taken once.
    pub fn take_statuses(&self) -> Vec<Value> {
        std::mem::take(&mut self.shared.lock().statuses)
    }

    pub fn set_throughput(&self, per_second: usize) {
        self.shared.lock().throughput = per_second;
    }

    pub fn set_pair_limit(&self, count: usize, window: Duration) {
        self.shared.lock().pair = (count, window);
    }

    /// The next `times` requests to `to` (any recipient when `None`) get `code`.
    pub fn fail_next(&self, to: Option<&str>, code: i64, times: usize) {
        let mut st = self.shared.lock();
        for _ in 0..times {
            st.inject.push_back((to.map(str::to_owned), code, 0));
        }
    }

    /// Refuses one send to `to` with `code` after letting `through` sends to them pass.
    pub fn fail_after(&self, to: &str, through: usize, code: i64) {
        self.shared
            .lock()
            .inject
            .push_back((Some(to.to_owned()), code, through));
    }

    pub fn sent(&self) -> Vec<Sent> {
        self.shared.lock().sent.clone()
    }

    pub fn sent_to(&self, wa_id: &str) -> Vec<Sent> {
        self.shared
            .lock()
            .sent
            .iter()
            .filter(|s| s.to == wa_id)
            .cloned()
            .collect()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.lock().requests.clone()
    }

    /// The most messages accepted in any 1 s.
    pub fn peak_per_second(&self) -> usize {
        self.shared.lock().peak_second
    }

    /// The most messages accepted for one person within the pair window.
    pub fn peak_per_recipient(&self) -> usize {
        self.shared.lock().peak_pair
    }

    /// Rate refusals (130429, 131056) the fake answered of its own accord.
    pub fn rate_errors_not_injected(&self) -> usize {
        self.shared.lock().rate_errors
    }

    /// Waits until `f` over the accepted messages gives something; re-checked on every
    /// request. Panics after 30 s of real time with what was sent.
    pub async fn wait_until<T>(&self, what: &str, mut f: impl FnMut(&[Sent]) -> Option<T>) -> T {
        let (_keep, mut expired) = super::fake_telegram::real_time_deadline(WAIT_LIMIT);
        loop {
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            // Registered before checking, so a change in between still wakes us.
            changed.as_mut().enable();
            // A copy, so `f` may itself look at the fake (its lock is not held here).
            let sent = self.shared.lock().sent.clone();
            if let Some(t) = f(&sent) {
                return t;
            }
            tokio::select! {
                () = &mut changed => {}
                _ = &mut expired => panic!("gave up after {} s (real time) waiting until {what}\n{}", WAIT_LIMIT.as_secs(), self.dump()),
            }
        }
    }

    pub fn dump(&self) -> String {
        let st = self.shared.lock();
        let mut out = format!("{} request(s) to the fake Graph API:\n", st.requests.len());
        for r in &st.requests {
            out += &format!("  {} {} -> {} {:?}\n", r.kind, r.to, r.status, r.code);
        }
        for s in &st.sent {
            out += &format!("  sent to {}: {:?} {:?}\n", s.to, s.text(), s.buttons());
        }
        out
    }
}
