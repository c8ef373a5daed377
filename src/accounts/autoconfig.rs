//! From an address to working settings: built-in provider data, then the domain's own
//! autoconfig file over HTTPS, then RFC 6186 SRV records, then the MX host's provider, then
//! probing the usual names and ports concurrently.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use rustls_pki_types::CertificateDer;
use tokio::net::TcpStream;

use super::providers::{self, Provider};
use crate::protocols::tls;
use crate::store::accounts::{AuthKind, Security, ServerSettings};

/// Where the settings came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Tidings' own provider data.
    BuiltIn(String),
    /// The domain's autoconfig file at this URL.
    DomainConfig(String),
    /// RFC 6186 SRV records.
    Srv,
    /// The provider that hosts the domain's mail (MX).
    Mx(String),
    /// Servers that answered on the usual names and ports.
    Probe,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::BuiltIn(id) => write!(f, "built-in data for {id}"),
            Source::DomainConfig(url) => write!(f, "the domain's configuration at {url}"),
            Source::Srv => write!(f, "DNS SRV records"),
            Source::Mx(id) => write!(f, "the mail host ({id})"),
            Source::Probe => write!(f, "probing the usual servers"),
        }
    }
}

/// Settings found for an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Where they came from.
    pub source: Source,
    /// The provider entry, when one matched (hints, quirks).
    pub provider: Option<Provider>,
    /// Its id, or "".
    pub provider_id: String,
    /// IMAP, if found.
    pub imap: Option<ServerSettings>,
    /// POP3, if found.
    pub pop3: Option<ServerSettings>,
    /// SMTP, if found.
    pub smtp: Option<ServerSettings>,
    /// The provider files its own Sent copy.
    pub provider_saves_sent: bool,
    /// Servers outside the address's domain that came from DNS, which anyone on the path can
    /// spoof (RFC 6186 §6): the user must see and accept them before a password goes there.
    /// Empty when every server is in the domain or belongs to a provider we know.
    pub unverified_hosts: Vec<String>,
}

impl Found {
    fn from_provider(source: Source, p: Provider) -> Found {
        Found {
            source,
            provider_id: p.id.clone(),
            imap: p.imap.clone(),
            pop3: p.pop3.clone(),
            smtp: p.smtp.clone(),
            provider_saves_sent: p.files_own_sent_copy,
            provider: Some(p),
            unverified_hosts: Vec::new(),
        }
    }

    /// Whether the user must accept the servers before any password is sent to them.
    pub fn needs_confirmation(&self) -> bool {
        !self.unverified_hosts.is_empty()
    }
}

/// Whether `host` is `domain` or a name under it.
fn in_domain(host: &str, domain: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    host == domain || host.ends_with(&format!(".{domain}"))
}

/// Whether a server host found through DNS for an address in `domain` can be trusted without
/// asking: in the address's own domain, or a server of a provider in our data.
fn trusted_host(host: &str, domain: &str, email: &str) -> bool {
    in_domain(host, domain) || providers::for_host(host, email).is_some()
}

/// How DNS is asked.
#[derive(Debug, Clone)]
pub enum Dns {
    /// The system's resolver configuration.
    System,
    /// These name servers (tests point this at loopback).
    Servers(Vec<SocketAddr>),
    /// No DNS lookups at all.
    Off,
}

/// Where the lookup looks; the defaults are the real Internet, tests point everything at
/// loopback.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// Autoconfig URL templates; `{domain}` and `{email}` are filled in.
    pub config_urls: Vec<String>,
    /// Extra CAs for the HTTPS fetches and TLS probes.
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// DNS for SRV and MX.
    pub dns: Dns,
    /// Host templates to probe; `{domain}` is filled in.
    pub probe_hosts: Vec<String>,
    /// Ports to probe per protocol, best first, with their security.
    pub probe_imap: Vec<(u16, Security)>,
    /// POP3 ports to probe.
    pub probe_pop3: Vec<(u16, Security)>,
    /// SMTP ports to probe.
    pub probe_smtp: Vec<(u16, Security)>,
    /// Timeout of each network step.
    pub timeout: Duration,
}

impl Default for Lookup {
    fn default() -> Lookup {
        Lookup {
            config_urls: vec![
                "https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={email}".into(),
                "https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml".into(),
            ],
            extra_roots: Vec::new(),
            dns: Dns::System,
            probe_hosts: vec![
                "imap.{domain}".into(),
                "mail.{domain}".into(),
                "pop.{domain}".into(),
                "pop3.{domain}".into(),
                "smtp.{domain}".into(),
                "{domain}".into(),
            ],
            probe_imap: vec![(993, Security::Tls), (143, Security::StartTls)],
            probe_pop3: vec![(995, Security::Tls), (110, Security::StartTls)],
            probe_smtp: vec![(465, Security::Tls), (587, Security::StartTls)],
            timeout: Duration::from_secs(4),
        }
    }
}

/// Why nothing was found.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AutoconfigError {
    /// The address has no domain.
    #[error("{0:?} is not an email address")]
    BadAddress(String),
    /// Every source came up empty.
    #[error("no settings found for {0}; enter the servers by hand")]
    NotFound(String),
}

/// Looks up settings for `email` through every source in order.
pub async fn lookup(email: &str, how: &Lookup) -> Result<Found, AutoconfigError> {
    let domain = email
        .rsplit_once('@')
        .map(|(_, d)| d.trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty())
        .ok_or_else(|| AutoconfigError::BadAddress(email.to_owned()))?;
    if let Some(p) = providers::for_domain(&domain, email) {
        return Ok(Found::from_provider(Source::BuiltIn(p.id.clone()), p));
    }
    if let Some(found) = from_domain_config(email, &domain, how).await {
        return Ok(found);
    }
    if let Some(resolver) = resolver(&how.dns) {
        if let Some(found) = from_srv(&resolver, email, &domain).await {
            return Ok(found);
        }
        if let Some(found) = from_mx(&resolver, email, &domain).await {
            return Ok(found);
        }
    }
    if let Some(found) = probe(email, &domain, how).await {
        return Ok(found);
    }
    Err(AutoconfigError::NotFound(email.to_owned()))
}

/// `lookup` with the real Internet's defaults, for the command line.
pub fn blocking_lookup(email: &str) -> Result<Found, String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime
        .block_on(lookup(email, &Lookup::default()))
        .map_err(|e| e.to_string())
}

async fn from_domain_config(email: &str, domain: &str, how: &Lookup) -> Option<Found> {
    let config = tls::client_config(&how.extra_roots).ok()?;
    for template in &how.config_urls {
        let url = template
            .replace("{domain}", domain)
            .replace("{email}", email);
        let Ok(start) = reqwest::Url::parse(&url) else {
            continue;
        };
        let first_host = start.host_str().unwrap_or_default().to_owned();
        let domain = domain.to_owned();
        // A redirect is followed only over HTTPS and only within the address's domain (or the
        // host asked first): a network that can rewrite one HTTP answer must not choose our
        // servers, and the address shown is where the settings really came from.
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            let next = attempt.url();
            let host = next.host_str().unwrap_or_default();
            if attempt.previous().len() >= 3
                || next.scheme() != "https"
                || !(host.eq_ignore_ascii_case(&first_host) || in_domain(host, &domain))
            {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        let Ok(client) = reqwest::Client::builder()
            .tls_backend_preconfigured((*config).clone())
            .timeout(how.timeout)
            .redirect(policy)
            .build()
        else {
            continue;
        };
        let Ok(response) = client.get(start).send().await else {
            continue;
        };
        // A stopped redirect arrives as the 3xx answer itself: not a configuration.
        if !response.status().is_success() {
            continue;
        }
        let final_url = response.url().to_string();
        let Ok(body) = read_capped(response, MAX_CONFIG_BYTES).await else {
            continue;
        };
        if let Ok(p) = providers::parse(&body, email) {
            return Some(Found::from_provider(Source::DomainConfig(final_url), p));
        }
    }
    None
}

/// Largest autoconfig document read (real ones are a few kilobytes).
const MAX_CONFIG_BYTES: usize = 256 * 1024;

/// The body of `response` as text, refusing one larger than `cap` bytes.
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<String, ()> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|_| ())? {
        body.extend_from_slice(&chunk);
        if body.len() > cap {
            return Err(());
        }
    }
    String::from_utf8(body).map_err(|_| ())
}

type Resolver = hickory_resolver::TokioResolver;

fn resolver(dns: &Dns) -> Option<Resolver> {
    use hickory_resolver::config::{NameServerConfig, ResolverConfig};
    use hickory_resolver::net::runtime::TokioRuntimeProvider;
    match dns {
        Dns::Off => None,
        Dns::System => Resolver::builder_tokio().ok()?.build().ok(),
        Dns::Servers(addrs) => {
            let mut config = ResolverConfig::from_parts(None, Vec::new(), Vec::new());
            for addr in addrs {
                let mut server = NameServerConfig::udp(addr.ip());
                for c in &mut server.connections {
                    c.port = addr.port();
                }
                config.add_name_server(server);
            }
            Resolver::builder_with_config(config, TokioRuntimeProvider::default())
                .build()
                .ok()
        }
    }
}

async fn srv_target(resolver: &Resolver, name: &str) -> Option<(String, u16)> {
    let lookup = resolver.srv_lookup(name).await.ok()?;
    let mut records: Vec<_> = lookup
        .answers()
        .iter()
        .filter_map(|r| match &r.data {
            hickory_resolver::proto::rr::RData::SRV(srv) => Some(srv.clone()),
            _ => None,
        })
        .collect();
    records.sort_by_key(|s| (s.priority, std::cmp::Reverse(s.weight)));
    let best = records.into_iter().next()?;
    let host = best.target.to_utf8().trim_end_matches('.').to_owned();
    // "." means the service is decidedly not available (RFC 2782).
    (!host.is_empty()).then_some((host, best.port))
}

async fn from_srv(resolver: &Resolver, email: &str, domain: &str) -> Option<Found> {
    let settings = |host: String, port: u16, security| ServerSettings {
        enabled: true,
        host,
        port,
        security,
        auth: AuthKind::Password,
        username: email.to_owned(),
    };
    let pick = |tls: Option<(String, u16)>, starttls: Option<(String, u16)>| {
        tls.map(|(h, p)| settings(h, p, Security::Tls))
            .or_else(|| starttls.map(|(h, p)| settings(h, p, Security::StartTls)))
    };
    let imap = pick(
        srv_target(resolver, &format!("_imaps._tcp.{domain}.")).await,
        srv_target(resolver, &format!("_imap._tcp.{domain}.")).await,
    );
    let pop3 = pick(
        srv_target(resolver, &format!("_pop3s._tcp.{domain}.")).await,
        srv_target(resolver, &format!("_pop3._tcp.{domain}.")).await,
    );
    let smtp = pick(
        srv_target(resolver, &format!("_submissions._tcp.{domain}.")).await,
        srv_target(resolver, &format!("_submission._tcp.{domain}.")).await,
    );
    if imap.is_none() && pop3.is_none() {
        return None;
    }
    let mut unverified: Vec<String> = [&imap, &pop3, &smtp]
        .into_iter()
        .flatten()
        .map(|s| s.host.clone())
        .filter(|h| !trusted_host(h, domain, email))
        .collect();
    unverified.sort();
    unverified.dedup();
    Some(Found {
        source: Source::Srv,
        provider: None,
        provider_id: String::new(),
        imap,
        pop3,
        smtp,
        provider_saves_sent: false,
        unverified_hosts: unverified,
    })
}

async fn from_mx(resolver: &Resolver, email: &str, domain: &str) -> Option<Found> {
    let lookup = resolver.mx_lookup(format!("{domain}.")).await.ok()?;
    let mut hosts: Vec<_> = lookup
        .answers()
        .iter()
        .filter_map(|r| match &r.data {
            hickory_resolver::proto::rr::RData::MX(mx) => {
                Some((mx.preference, mx.exchange.to_utf8()))
            }
            _ => None,
        })
        .collect();
    hosts.sort();
    hosts.into_iter().find_map(|(_, host)| {
        providers::for_host(&host, email).map(|p| Found::from_provider(Source::Mx(p.id.clone()), p))
    })
}

/// Whether something speaking the protocol answers at host:port with that security.
async fn answers(host: String, port: u16, security: Security, how: Arc<Lookup>) -> bool {
    let attempt = async {
        let tcp = TcpStream::connect((host.as_str(), port)).await.ok()?;
        match security {
            Security::Tls => {
                let config = tls::client_config(&how.extra_roots).ok()?;
                // An untrusted certificate still means a server is there; the doctor says the
                // rest.
                match tls::handshake(config, &host, tcp).await {
                    Ok(_)
                    | Err(tls::TlsError::NotTrusted { .. })
                    | Err(tls::TlsError::WrongHost { .. })
                    | Err(tls::TlsError::Expired { .. }) => Some(()),
                    Err(_) => None,
                }
            }
            _ => {
                use tokio::io::AsyncReadExt;
                let mut tcp = tcp;
                let mut buf = [0u8; 64];
                let n = tcp.read(&mut buf).await.ok()?;
                let greeting = &buf[..n];
                (greeting.starts_with(b"* OK")
                    || greeting.starts_with(b"+OK")
                    || greeting.starts_with(b"220"))
                .then_some(())
            }
        }
    };
    matches!(
        tokio::time::timeout(how.timeout, attempt).await,
        Ok(Some(()))
    )
}

async fn probe(email: &str, domain: &str, how: &Lookup) -> Option<Found> {
    let how = Arc::new(how.clone());
    let hosts: Vec<String> = how
        .probe_hosts
        .iter()
        .map(|h| h.replace("{domain}", domain))
        .collect();
    let first = |ports: Vec<(u16, Security)>| {
        let hosts = hosts.clone();
        let how = how.clone();
        async move {
            let candidates: Vec<(String, u16, Security)> = hosts
                .iter()
                .flat_map(|h| ports.iter().map(move |(p, s)| (h.clone(), *p, *s)))
                .collect();
            let results = join_all(
                candidates
                    .iter()
                    .map(|(h, p, s)| answers(h.clone(), *p, *s, how.clone())),
            )
            .await;
            // Candidates are in preference order; the first that answered wins.
            candidates.into_iter().zip(results).find(|(_, ok)| *ok).map(
                |((host, port, security), _)| ServerSettings {
                    enabled: true,
                    host,
                    port,
                    security,
                    auth: AuthKind::Password,
                    username: email.to_owned(),
                },
            )
        }
    };
    let (imap, pop3, smtp) = futures::join!(
        first(how.probe_imap.clone()),
        first(how.probe_pop3.clone()),
        first(how.probe_smtp.clone())
    );
    if imap.is_none() && pop3.is_none() {
        return None;
    }
    Some(Found {
        source: Source::Probe,
        provider: None,
        provider_id: String::new(),
        imap,
        pop3,
        smtp,
        provider_saves_sent: false,
        // The probed names are built from the address's own domain.
        unverified_hosts: Vec::new(),
    })
}
