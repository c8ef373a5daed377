//! A CA and a server certificate made fresh for each run.

use std::fs;
use std::path::Path;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};

use super::Result;

/// PEM files written for the daemons, and the CA for clients.
pub struct Tls {
    /// The CA certificate.
    pub ca_pem: String,
    /// Server certificate file (leaf then CA).
    pub cert_file: std::path::PathBuf,
    /// Server key file.
    pub key_file: std::path::PathBuf,
}

/// Makes the CA and a server certificate for 127.0.0.1, 127.0.0.2 and localhost.
pub fn make(root: &Path) -> Result<Tls> {
    let dir = root.join("tls");
    fs::create_dir_all(&dir)?;

    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Tidings test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate()?;
    let mut params =
        CertificateParams::new(vec!["localhost".to_owned(), "mail.tidings.test".to_owned()])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "mail.tidings.test");
    for ip in ["127.0.0.1", "127.0.0.2"] {
        params
            .subject_alt_names
            .push(SanType::IpAddress(ip.parse()?));
    }
    let server_cert = params.signed_by(&server_key, &issuer)?;

    let ca_pem = ca_cert.pem();
    let cert_file = dir.join("server.pem");
    let key_file = dir.join("server.key");
    fs::write(&cert_file, format!("{}{}", server_cert.pem(), ca_pem))?;
    fs::write(&key_file, server_key.serialize_pem())?;
    fs::write(dir.join("ca.pem"), &ca_pem)?;
    Ok(Tls {
        ca_pem,
        cert_file,
        key_file,
    })
}
