//! The connection doctor: for each enabled protocol of an account, every step from DNS to a
//! SELECT of INBOX, timed, and for a failure a specific hint of what to do.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

use super::providers::{self, PasswordKind, Provider};
use crate::protocols::error::ConnectionError;
use crate::protocols::imap::{self, Login};
use crate::protocols::pop3::{self, Pop3Login};
use crate::protocols::smtp::{self, SmtpLogin};
use crate::protocols::tls::{self, CertInfo, TlsError};
use crate::store::accounts::Protocol;
use crate::store::accounts::{Account, Security, ServerSettings};

/// How long one step may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(15);

/// The steps, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Resolve the host name.
    Dns,
    /// Open a TCP connection.
    Connect,
    /// TLS handshake and certificate check.
    Tls,
    /// Greeting, STARTTLS/STLS where configured, and login.
    Login,
    /// IMAP: ID and SELECT INBOX; POP3: STAT.
    Mailbox,
}

/// What to tell the user about a failed step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// The host name does not resolve.
    HostNotFound,
    /// Nothing answers on that port.
    PortBlocked,
    /// The server did not answer in time.
    Timeout,
    /// The certificate is not trusted; the user may pin it.
    CertificateNotTrusted(CertInfo),
    /// The certificate is for another name.
    CertificateWrongHost(CertInfo),
    /// The certificate expired or is not yet valid.
    CertificateExpired(CertInfo),
    /// STARTTLS/STLS is configured and not offered.
    StartTlsMissing,
    /// The server refuses to log in without encryption.
    PlaintextRefused,
    /// Wrong user name or password.
    WrongPassword,
    /// The provider wants its client authorization code.
    NeedsAuthorizationCode { provider: String, help_url: String },
    /// The provider wants an app password.
    NeedsAppPassword { provider: String, help_url: String },
    /// The provider refused before login: the protocol is probably off in its web settings.
    ProtocolSwitchedOff { provider: String, help_url: String },
    /// No password is stored.
    NoPassword,
    /// The server says it cannot serve the account now (`[UNAVAILABLE]`, RFC 5530).
    ServerUnavailable,
    /// The server says the password expired (`[EXPIRED]`, RFC 5530).
    PasswordExpired,
    /// Something else; the detail says what.
    Other,
}

/// One step's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepResult {
    /// Which step.
    pub step: Step,
    /// Passed or failed.
    pub ok: bool,
    /// How long it took.
    pub elapsed: Duration,
    /// What happened, in the server's or library's words.
    pub detail: String,
    /// For a failure, what to do.
    pub hint: Option<Hint>,
}

/// One protocol's steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolReport {
    /// Which protocol.
    pub protocol: Protocol,
    /// Server host.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Steps run, stopping at the first failure.
    pub steps: Vec<StepResult>,
    /// The certificate the server showed, when TLS got that far.
    pub certificate: Option<CertInfo>,
}

impl ProtocolReport {
    /// Whether every step passed.
    pub fn ok(&self) -> bool {
        self.steps.iter().all(|s| s.ok)
    }
}

/// The doctor's findings for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The account tested.
    pub account: i64,
    /// One section per enabled protocol.
    pub protocols: Vec<ProtocolReport>,
}

impl Report {
    /// Whether everything passed.
    pub fn ok(&self) -> bool {
        self.protocols.iter().all(ProtocolReport::ok)
    }
}

/// Runs the doctor for every enabled protocol of `account`. `password` gives the password per
/// protocol (None: none stored); `trust` is what is trusted beyond the OS store, per server.
pub async fn examine(
    account: &Account,
    password: impl Fn(Protocol) -> Option<String>,
    trust: &tls::Trust,
) -> Report {
    examine_live(account, password, trust, &|_, _| {}).await
}

/// Like `examine`, telling `on_step` about each step as it finishes (for a live display).
pub async fn examine_live(
    account: &Account,
    password: impl Fn(Protocol) -> Option<String>,
    trust: &tls::Trust,
    on_step: &(dyn Fn(Protocol, &StepResult) + Sync),
) -> Report {
    let provider = account
        .address
        .rsplit_once('@')
        .and_then(|(_, d)| providers::for_domain(d, &account.address));
    let mut protocols = Vec::new();
    for (settings, protocol) in [
        (&account.imap, Protocol::Imap),
        (&account.pop3, Protocol::Pop3),
        (&account.smtp, Protocol::Smtp),
    ] {
        if settings.enabled {
            let pw = password(protocol);
            protocols.push(
                examine_one(
                    settings,
                    &account.address,
                    protocol,
                    pw,
                    trust,
                    provider.as_ref(),
                    on_step,
                )
                .await,
            );
        }
    }
    Report {
        account: account.id,
        protocols,
    }
}

struct Run<'a> {
    report: ProtocolReport,
    recorder: Option<Arc<tls::CertRecorder>>,
    on_step: &'a (dyn Fn(Protocol, &StepResult) + Sync),
}

impl Run<'_> {
    /// The certificate the server showed in the last handshake, if any.
    fn certificate(&self) -> Option<CertInfo> {
        self.recorder
            .as_ref()
            .and_then(|r| r.chain().first().map(tls::cert_info))
    }

    fn record(&mut self, result: StepResult) {
        (self.on_step)(self.report.protocol, &result);
        self.report.steps.push(result);
    }

    fn pass(&mut self, step: Step, started: Instant, detail: impl Into<String>) {
        self.record(StepResult {
            step,
            ok: true,
            elapsed: started.elapsed(),
            detail: detail.into(),
            hint: None,
        });
    }

    fn fail(&mut self, step: Step, started: Instant, detail: impl Into<String>, hint: Hint) {
        self.record(StepResult {
            step,
            ok: false,
            elapsed: started.elapsed(),
            detail: detail.into(),
            hint: Some(hint),
        });
    }
}

fn tls_hint(err: &TlsError, cert: Option<CertInfo>) -> Hint {
    match (err, cert) {
        (TlsError::NotTrusted { .. }, Some(c)) => Hint::CertificateNotTrusted(c),
        (TlsError::WrongHost { .. }, Some(c)) => Hint::CertificateWrongHost(c),
        (TlsError::Expired { .. }, Some(c)) => Hint::CertificateExpired(c),
        _ => Hint::Other,
    }
}

/// The hint for a refused login, using what the provider data says about its passwords.
fn login_hint(provider: Option<&Provider>, before_password: bool) -> Hint {
    let Some(p) = provider else {
        return Hint::WrongPassword;
    };
    let (name, url) = (p.name.clone(), p.help_url.clone());
    if before_password {
        return Hint::ProtocolSwitchedOff {
            provider: name,
            help_url: url,
        };
    }
    match p.password {
        PasswordKind::AuthorizationCode => Hint::NeedsAuthorizationCode {
            provider: name,
            help_url: url,
        },
        PasswordKind::AppPassword => Hint::NeedsAppPassword {
            provider: name,
            help_url: url,
        },
        PasswordKind::Account => Hint::WrongPassword,
    }
}

async fn examine_one(
    settings: &ServerSettings,
    address: &str,
    protocol: Protocol,
    password: Option<String>,
    trust: &tls::Trust,
    provider: Option<&Provider>,
    on_step: &(dyn Fn(Protocol, &StepResult) + Sync),
) -> ProtocolReport {
    let mut run = Run {
        on_step,
        report: ProtocolReport {
            protocol,
            host: settings.host.clone(),
            port: settings.port,
            steps: Vec::new(),
            certificate: None,
        },
        recorder: None,
    };
    let host = settings.host.as_str();

    let started = Instant::now();
    let resolved =
        tokio::time::timeout(STEP_TIMEOUT, tokio::net::lookup_host((host, settings.port))).await;
    let addrs: Vec<_> = match resolved {
        Ok(Ok(addrs)) => addrs.collect(),
        Ok(Err(e)) => {
            run.fail(Step::Dns, started, e.to_string(), Hint::HostNotFound);
            return run.report;
        }
        Err(_) => {
            run.fail(Step::Dns, started, "no answer", Hint::Timeout);
            return run.report;
        }
    };
    let Some(addr) = addrs.first().copied() else {
        run.fail(Step::Dns, started, "no address", Hint::HostNotFound);
        return run.report;
    };
    run.pass(Step::Dns, started, addr.ip().to_string());

    let started = Instant::now();
    match tokio::time::timeout(STEP_TIMEOUT, TcpStream::connect(addr)).await {
        Ok(Ok(_)) => run.pass(Step::Connect, started, addr.to_string()),
        Ok(Err(e)) => {
            run.fail(Step::Connect, started, e.to_string(), Hint::PortBlocked);
            return run.report;
        }
        Err(_) => {
            run.fail(Step::Connect, started, "no answer", Hint::Timeout);
            return run.report;
        }
    }

    let Ok((config, recorder)) = trust.inspecting_for(host, settings.port) else {
        run.fail(
            Step::Tls,
            Instant::now(),
            "TLS could not be set up",
            Hint::Other,
        );
        return run.report;
    };
    run.recorder = Some(recorder.clone());
    if settings.security == Security::Tls {
        let started = Instant::now();
        let result = async {
            let tcp = TcpStream::connect(addr)
                .await
                .map_err(|e| TlsError::Handshake {
                    host: host.to_owned(),
                    source: e,
                })?;
            tls::handshake(config.clone(), host, tcp).await
        };
        let result = tokio::time::timeout(STEP_TIMEOUT, result).await;
        let cert = run.certificate();
        run.report.certificate = cert.clone();
        match result {
            Ok(Ok(_)) => run.pass(
                Step::Tls,
                started,
                cert.map(|c| c.subject).unwrap_or_default(),
            ),
            Ok(Err(e)) => {
                let hint = tls_hint(&e, cert);
                run.fail(Step::Tls, started, e.to_string(), hint);
                return run.report;
            }
            Err(_) => {
                run.fail(Step::Tls, started, "no answer", Hint::Timeout);
                return run.report;
            }
        }
    }

    let Some(password) = password else {
        run.fail(
            Step::Login,
            Instant::now(),
            "no password is stored",
            Hint::NoPassword,
        );
        return run.report;
    };
    let started = Instant::now();
    match protocol {
        Protocol::Imap => {
            imap_steps(
                &mut run, settings, address, password, config, provider, started,
            )
            .await
        }
        Protocol::Pop3 => {
            pop3_steps(
                &mut run, settings, address, password, config, provider, started,
            )
            .await
        }
        Protocol::Smtp => {
            smtp_steps(
                &mut run, settings, address, password, config, provider, started,
            )
            .await
        }
    }
    if run.report.certificate.is_none() {
        run.report.certificate = run.certificate();
    }
    run.report
}

async fn imap_steps(
    run: &mut Run<'_>,
    settings: &ServerSettings,
    address: &str,
    password: String,
    config: Arc<rustls::ClientConfig>,
    provider: Option<&Provider>,
    started: Instant,
) {
    let login = Login::new(settings, address, password);
    let (mut session, _caps) = match imap::connect(&login, config).await {
        Ok(ok) => ok,
        Err(err) => {
            let (step, hint) = failure_hint(&err, run.certificate(), provider);
            run.fail(step, started, err.to_string(), hint);
            return;
        }
    };
    run.pass(
        Step::Login,
        started,
        format!("logged in as {}", login.username),
    );
    let started = Instant::now();
    match session.select("INBOX").await {
        Ok(mailbox) => run.pass(
            Step::Mailbox,
            started,
            format!("INBOX holds {} messages", mailbox.exists),
        ),
        Err(e) => {
            // NetEase answers "Unsafe Login" here when ID was not sent or not accepted.
            run.fail(
                Step::Mailbox,
                started,
                e.to_string(),
                login_hint(provider, true),
            );
        }
    }
    let _ = session.logout().await;
}

async fn pop3_steps(
    run: &mut Run<'_>,
    settings: &ServerSettings,
    address: &str,
    password: String,
    config: Arc<rustls::ClientConfig>,
    provider: Option<&Provider>,
    started: Instant,
) {
    let login = Pop3Login::new(settings, address, password);
    let mut session = match pop3::connect(&login, config).await {
        Ok(s) => s,
        Err(err) => {
            let (step, hint) = failure_hint(&err, run.certificate(), provider);
            run.fail(step, started, err.to_string(), hint);
            return;
        }
    };
    run.pass(
        Step::Login,
        started,
        format!("logged in as {}", login.username),
    );
    let started = Instant::now();
    match session.stat().await {
        Ok((count, size)) => run.pass(
            Step::Mailbox,
            started,
            format!("{count} messages, {size} bytes on the server"),
        ),
        Err(e) => run.fail(Step::Mailbox, started, e.to_string(), Hint::Other),
    }
    let _ = session.quit().await;
}

async fn smtp_steps(
    run: &mut Run<'_>,
    settings: &ServerSettings,
    address: &str,
    password: String,
    config: Arc<rustls::ClientConfig>,
    provider: Option<&Provider>,
    started: Instant,
) {
    let login = SmtpLogin::new(settings, address, password);
    match smtp::connect(&login, config).await {
        Ok(mut conn) => {
            run.pass(
                Step::Login,
                started,
                format!("logged in as {}", login.username),
            );
            let _ = conn.quit().await;
        }
        Err(err) => {
            let (step, hint) = failure_hint(&err, run.certificate(), provider);
            run.fail(step, started, err.to_string(), hint);
        }
    }
}

/// The step that failed and what to do about it, for a connection error of any protocol.
fn failure_hint(
    err: &ConnectionError,
    cert: Option<CertInfo>,
    provider: Option<&Provider>,
) -> (Step, Hint) {
    match err {
        ConnectionError::Tls(e) => (Step::Tls, tls_hint(e, cert)),
        ConnectionError::StartTlsUnavailable { .. } => (Step::Login, Hint::StartTlsMissing),
        ConnectionError::LoginDisabled { .. } => (Step::Login, Hint::PlaintextRefused),
        ConnectionError::AuthFailed { message, .. } => {
            let upper = message.to_ascii_uppercase();
            // RFC 5530 response codes say more than the words around them.
            if upper.contains("[UNAVAILABLE]") || upper.contains("[SYS/TEMP]") {
                return (Step::Login, Hint::ServerUnavailable);
            }
            if upper.contains("[EXPIRED]") {
                return (Step::Login, Hint::PasswordExpired);
            }
            if upper.contains("[AUTHENTICATIONFAILED]") || upper.contains("[AUTH]") {
                return (Step::Login, login_hint(provider, false));
            }
            if upper.contains("PRIVACYREQUIRED")
                || upper.contains("PLAINTEXT")
                || upper.contains("DISABLED")
            {
                (Step::Login, Hint::PlaintextRefused)
            } else {
                (Step::Login, login_hint(provider, false))
            }
        }
        ConnectionError::Timeout { .. } => (Step::Login, Hint::Timeout),
        ConnectionError::Io { source, .. } if source.kind() == std::io::ErrorKind::TimedOut => {
            (Step::Login, Hint::Timeout)
        }
        ConnectionError::Io { .. } | ConnectionError::TooLarge { .. } => (Step::Login, Hint::Other),
        ConnectionError::Unreachable { .. } => (Step::Connect, Hint::PortBlocked),
        ConnectionError::Protocol { .. } => (Step::Login, login_hint(provider, true)),
    }
}

impl Step {
    /// The step's name in `i18n`'s language.
    pub fn name(self, i18n: &crate::i18n::I18n) -> String {
        i18n.t(
            match self {
                Step::Dns => "doctor-step-dns",
                Step::Connect => "doctor-step-connect",
                Step::Tls => "doctor-step-tls",
                Step::Login => "doctor-step-login",
                Step::Mailbox => "doctor-step-mailbox",
            },
            &[],
        )
    }
}

impl Hint {
    /// What to do, in `i18n`'s language, for a failure at `host`:`port` with `detail`.
    pub fn text(&self, i18n: &crate::i18n::I18n, host: &str, port: u16, detail: &str) -> String {
        let port = port.to_string();
        let base = [("host", host), ("port", port.as_str()), ("detail", detail)];
        match self {
            Hint::HostNotFound => i18n.t("doctor-hint-host-not-found", &base),
            Hint::PortBlocked => i18n.t("doctor-hint-port-blocked", &base),
            Hint::Timeout => i18n.t("doctor-hint-timeout", &base),
            Hint::CertificateNotTrusted(c) => i18n.t(
                "doctor-hint-cert-not-trusted",
                &[("host", host), ("fingerprint", c.sha256.as_str())],
            ),
            Hint::CertificateWrongHost(c) => i18n.t(
                "doctor-hint-cert-wrong-host",
                &[("host", host), ("subject", c.subject.as_str())],
            ),
            Hint::CertificateExpired(c) => i18n.t(
                "doctor-hint-cert-expired",
                &[("host", host), ("until", c.not_after.as_str())],
            ),
            Hint::StartTlsMissing => i18n.t("doctor-hint-starttls-missing", &base),
            Hint::PlaintextRefused => i18n.t("doctor-hint-plaintext-refused", &base),
            Hint::WrongPassword => i18n.t("doctor-hint-wrong-password", &base),
            Hint::NeedsAuthorizationCode { provider, help_url } => i18n.t(
                "doctor-hint-authorization-code",
                &[("provider", provider.as_str()), ("url", help_url.as_str())],
            ),
            Hint::NeedsAppPassword { provider, help_url } => i18n.t(
                "doctor-hint-app-password",
                &[("provider", provider.as_str()), ("url", help_url.as_str())],
            ),
            Hint::ProtocolSwitchedOff { provider, help_url } => i18n.t(
                "doctor-hint-protocol-off",
                &[("provider", provider.as_str()), ("url", help_url.as_str())],
            ),
            Hint::NoPassword => i18n.t("doctor-hint-no-password", &base),
            Hint::ServerUnavailable => i18n.t("doctor-hint-server-unavailable", &base),
            Hint::PasswordExpired => i18n.t("doctor-hint-password-expired", &base),
            Hint::Other => i18n.t("doctor-hint-other", &base),
        }
    }
}

impl Report {
    /// The report as lines of text, for the command line.
    pub fn render(&self, i18n: &crate::i18n::I18n) -> String {
        let mut out = String::new();
        for p in &self.protocols {
            out.push_str(&format!("{:?} {}:{}\n", p.protocol, p.host, p.port).to_uppercase());
            for s in &p.steps {
                let mark = if s.ok { "✓" } else { "✗" };
                out.push_str(&format!(
                    "  {mark} {} ({} ms): {}\n",
                    s.step.name(i18n),
                    s.elapsed.as_millis(),
                    s.detail
                ));
                if let Some(hint) = &s.hint {
                    out.push_str(&format!(
                        "    → {}\n",
                        hint.text(i18n, &p.host, p.port, &s.detail)
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(message: &str) -> (Step, Hint) {
        let err = ConnectionError::AuthFailed {
            host: "mail.example.org".into(),
            message: message.into(),
        };
        failure_hint(&err, None, None)
    }

    #[test]
    fn response_codes_pick_the_hint() {
        assert_eq!(
            refused("[UNAVAILABLE] Maintenance, back at 6"),
            (Step::Login, Hint::ServerUnavailable)
        );
        assert_eq!(
            refused("[EXPIRED] Password too old"),
            (Step::Login, Hint::PasswordExpired)
        );
        assert_eq!(
            refused("[AUTHENTICATIONFAILED] Authentication failed."),
            (Step::Login, Hint::WrongPassword)
        );
        assert_eq!(
            refused("[PRIVACYREQUIRED] Use TLS"),
            (Step::Login, Hint::PlaintextRefused)
        );
        assert_eq!(refused("Login failed."), (Step::Login, Hint::WrongPassword));
        let disabled = ConnectionError::LoginDisabled {
            host: "h".into(),
            wire: crate::store::accounts::Protocol::Imap,
        };
        assert_eq!(
            failure_hint(&disabled, None, None),
            (Step::Login, Hint::PlaintextRefused)
        );
    }
}
