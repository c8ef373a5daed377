//! One rustls client configuration shared by IMAP, POP3 and SMTP.
//!
//! Trust comes from the operating system's store (through rustls-platform-verifier) plus any
//! extra CA certificates the caller adds: the test harness adds its per-run CA this way, and an
//! account will add a certificate the user chose to trust. Hostname checks are never switched off.

use std::io;
use std::sync::Arc;

use rustls::client::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls::{CertificateError, Error as RustlsError};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// What went wrong while setting up or performing a TLS handshake.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The extra CA certificate text could not be read as PEM.
    #[error("could not read the trusted certificate: {0}")]
    BadPem(String),
    /// The configuration could not be built (no usable root store, bad extra root).
    #[error("could not set up TLS: {0}")]
    Setup(String),
    /// The name we were asked to connect to is not a valid DNS name or IP address.
    #[error("\"{0}\" is not a valid server name")]
    InvalidHostName(String),
    /// The server's certificate does not chain to a CA we trust.
    #[error("the certificate of {host} is not trusted ({detail})")]
    NotTrusted { host: String, detail: String },
    /// The certificate is valid but issued for another name.
    #[error("the certificate of {host} is not valid for that name ({detail})")]
    WrongHost { host: String, detail: String },
    /// The certificate has expired or is not yet valid.
    #[error("the certificate of {host} has expired or is not yet valid ({detail})")]
    Expired { host: String, detail: String },
    /// Any other handshake failure, including the connection being dropped.
    #[error("TLS handshake with {host} failed: {source}")]
    Handshake {
        host: String,
        #[source]
        source: io::Error,
    },
}

/// The one crypto provider Tidings uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Installs ring as the process-wide default provider, for libraries that ask for the default.
///
/// Calling it twice is harmless.
pub fn install_default_provider() {
    // An Err only means a provider is installed already, which is the state we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Parses every certificate in a PEM text (the form users and the harness keep CAs in).
pub fn certificates_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::BadPem(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsError::BadPem("no certificate found".into()));
    }
    Ok(certs)
}

/// Builds the client config: OS trust store plus `extra_roots` (CAs), hostname checks always on.
pub fn client_config(
    extra_roots: &[CertificateDer<'static>],
) -> Result<Arc<ClientConfig>, TlsError> {
    Ok(inspecting_config(extra_roots, Vec::new())?.0)
}

/// How the user trusts a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustKind {
    /// Exactly this end-entity certificate, from this server (what the doctor showed).
    Pin,
    /// A CA the user imported for this host.
    Ca,
}

/// One certificate the user trusts, bound to the server it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustEntry {
    /// The server's host name (lower case).
    pub host: String,
    /// The server's port; 0 for any port of the host.
    pub port: u16,
    /// Pin or CA.
    pub kind: TrustKind,
    /// The certificate.
    pub der: Vec<u8>,
}

impl TrustEntry {
    fn is_for(&self, host: &str, port: u16) -> bool {
        self.host.eq_ignore_ascii_case(host) && (self.port == 0 || self.port == port)
    }
}

/// Everything trusted beyond the OS store for one account: CAs for every server (the engine's
/// extra roots) and the user's certificates, each applied to its own server only. A pin
/// never becomes a trust root, so accepting one server's self-signed CA certificate cannot
/// make certificates it issued for other names trusted.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// CAs trusted for every server.
    pub roots: Vec<CertificateDer<'static>>,
    /// The user's certificates.
    pub entries: Vec<TrustEntry>,
}

/// A pinned certificate as the verifier checks it: host and SHA-256.
#[derive(Debug, Clone)]
struct Pin {
    host: String,
    sha256: Vec<u8>,
}

fn sha256(der: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, der)
        .as_ref()
        .to_vec()
}

impl Trust {
    /// Trust with only these CAs.
    pub fn roots(roots: Vec<CertificateDer<'static>>) -> Trust {
        Trust {
            roots,
            entries: Vec::new(),
        }
    }

    fn parts(&self, host: &str, port: u16) -> (Vec<CertificateDer<'static>>, Vec<Pin>) {
        let mut roots = self.roots.clone();
        let mut pins = Vec::new();
        for e in self.entries.iter().filter(|e| e.is_for(host, port)) {
            let der = CertificateDer::from(e.der.clone());
            // An imported certificate that is no CA can only ever match itself.
            if e.kind == TrustKind::Ca && is_ca(&der) {
                roots.push(der);
            } else {
                pins.push(Pin {
                    host: e.host.clone(),
                    sha256: sha256(&e.der),
                });
            }
        }
        (roots, pins)
    }

    /// The client config for connecting to `host:port`.
    pub fn config_for(&self, host: &str, port: u16) -> Result<Arc<ClientConfig>, TlsError> {
        Ok(self.inspecting_for(host, port)?.0)
    }

    /// `config_for` with the recorder of what the server presented (for the doctor).
    pub fn inspecting_for(
        &self,
        host: &str,
        port: u16,
    ) -> Result<(Arc<ClientConfig>, Arc<CertRecorder>), TlsError> {
        let (roots, pins) = self.parts(host, port);
        inspecting_config(&roots, pins)
    }
}

/// Our verifier: the platform's, plus exact-match pins, remembering the chain it was shown so
/// the connection doctor can display it (and offer to trust it) when verification fails.
#[derive(Debug)]
pub struct CertRecorder {
    inner: Arc<rustls_platform_verifier::Verifier>,
    pins: Vec<Pin>,
    seen: std::sync::Mutex<Vec<CertificateDer<'static>>>,
}

impl CertRecorder {
    fn pinned(&self, end_entity: &CertificateDer<'_>, server_name: &ServerName<'_>) -> bool {
        let name = server_name.to_str();
        let digest = sha256(end_entity.as_ref());
        self.pins
            .iter()
            .any(|p| p.host.eq_ignore_ascii_case(&name) && p.sha256 == digest)
    }

    /// The chain of the last handshake, leaf first.
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.seen.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl rustls::client::danger::ServerCertVerifier for CertRecorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls_pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, RustlsError> {
        if let Ok(mut seen) = self.seen.lock() {
            *seen = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.clone().into_owned())
                .collect();
        }
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => Ok(verified),
            // The user trusted exactly this certificate from this server.
            Err(_) if self.pinned(end_entity, server_name) => {
                Ok(rustls::client::danger::ServerCertVerified::assertion())
            }
            Err(e) => Err(e),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, RustlsError> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, RustlsError> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The config for `roots` (CAs) and `pins`, with the recorder of what the server presented.
fn inspecting_config(
    extra_roots: &[CertificateDer<'static>],
    pins: Vec<Pin>,
) -> Result<(Arc<ClientConfig>, Arc<CertRecorder>), TlsError> {
    let provider = provider();
    // A certificate that is no CA cannot be a root.
    let roots: Vec<CertificateDer<'static>> =
        extra_roots.iter().filter(|c| is_ca(c)).cloned().collect();
    let verifier =
        rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider.clone())
            .map_err(|e| TlsError::Setup(e.to_string()))?;
    let recorder = Arc::new(CertRecorder {
        inner: Arc::new(verifier),
        pins,
        seen: std::sync::Mutex::new(Vec::new()),
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Setup(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    Ok((Arc::new(config), recorder))
}

fn is_ca(der: &CertificateDer<'_>) -> bool {
    x509_parser::parse_x509_certificate(der.as_ref())
        .ok()
        .and_then(|(_, c)| c.basic_constraints().ok().flatten().map(|b| b.value.ca))
        .unwrap_or(false)
}

/// What a person needs to decide whether to trust a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Start of validity, RFC 2822.
    pub not_before: String,
    /// End of validity, RFC 2822.
    pub not_after: String,
    /// SHA-256 of the DER, as colon-separated hex.
    pub sha256: String,
    /// The certificate itself, to pin it.
    pub der: Vec<u8>,
}

/// Reads the fields of a DER certificate; unreadable fields stay empty.
pub fn cert_info(der: &CertificateDer<'_>) -> CertInfo {
    let sha256 = sha256(der.as_ref())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let mut info = CertInfo {
        subject: String::new(),
        issuer: String::new(),
        not_before: String::new(),
        not_after: String::new(),
        sha256,
        der: der.to_vec(),
    };
    if let Ok((_, cert)) = x509_parser::parse_x509_certificate(der.as_ref()) {
        info.subject = cert.subject().to_string();
        info.issuer = cert.issuer().to_string();
        info.not_before = cert.validity().not_before.to_rfc2822().unwrap_or_default();
        info.not_after = cert.validity().not_after.to_rfc2822().unwrap_or_default();
    }
    info
}

/// TLS parameters for lettre's SMTP transport with the same trust: OS store plus `extra_roots`.
///
/// lettre builds its own rustls config (with the ring provider and the platform verifier), so
/// we hand it the same extra roots rather than our `ClientConfig`.
pub fn smtp_parameters(
    host: &str,
    extra_roots: &[CertificateDer<'static>],
) -> Result<lettre::transport::smtp::client::TlsParameters, TlsError> {
    use lettre::transport::smtp::client::{Certificate, TlsParameters};
    let mut builder = TlsParameters::builder(host.to_owned());
    for root in extra_roots {
        let cert =
            Certificate::from_der(root.to_vec()).map_err(|e| TlsError::Setup(e.to_string()))?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build_rustls()
        .map_err(|e| TlsError::Setup(e.to_string()))
}

/// Runs the client handshake over `stream` (a fresh TCP socket, or one after STARTTLS/STLS).
pub async fn handshake<S>(
    config: Arc<ClientConfig>,
    host: &str,
    stream: S,
) -> Result<TlsStream<S>, TlsError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let name = ServerName::try_from(host.to_owned())
        .map_err(|_| TlsError::InvalidHostName(host.to_owned()))?;
    TlsConnector::from(config)
        .connect(name, stream)
        .await
        .map_err(|e| classify(host, e))
}

/// Turns the io::Error tokio-rustls returns into a kind a person can act on.
fn classify(host: &str, err: io::Error) -> TlsError {
    let host = host.to_owned();
    let Some(rustls_err) = err.get_ref().and_then(|e| e.downcast_ref::<RustlsError>()) else {
        return TlsError::Handshake { host, source: err };
    };
    let detail = rustls_err.to_string();
    match rustls_err {
        RustlsError::InvalidCertificate(cert_err) => match cert_err {
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsError::WrongHost { host, detail }
            }
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => TlsError::Expired { host, detail },
            _ => TlsError::NotTrusted { host, detail },
        },
        _ => TlsError::Handshake { host, source: err },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_without_certificates_is_a_clear_error() {
        let err = certificates_from_pem(b"not a certificate").err();
        assert!(matches!(err, Some(TlsError::BadPem(_))), "{err:?}");
    }

    #[test]
    fn config_builds_with_os_roots_only() {
        let config = client_config(&[]);
        assert!(config.is_ok(), "{:?}", config.err());
    }
}
