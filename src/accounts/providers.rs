//! Built-in provider data: Mozilla ISPDB `clientConfig` XML in `resources/providers/`, with a
//! `tidings:quirks` element for what the format lacks (ID, Sent copies, authorization codes,
//! hints in English and Chinese).

use crate::store::accounts::{AuthKind, Security, ServerSettings};

/// Every shipped provider file, compiled in so a fresh install needs no data directory.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "126.com",
        include_str!("../../resources/providers/126.com.xml"),
    ),
    (
        "139.com",
        include_str!("../../resources/providers/139.com.xml"),
    ),
    (
        "163.com",
        include_str!("../../resources/providers/163.com.xml"),
    ),
    (
        "aliyun.com",
        include_str!("../../resources/providers/aliyun.com.xml"),
    ),
    (
        "fastmail.com",
        include_str!("../../resources/providers/fastmail.com.xml"),
    ),
    (
        "gmail.com",
        include_str!("../../resources/providers/gmail.com.xml"),
    ),
    (
        "gmx.com",
        include_str!("../../resources/providers/gmx.com.xml"),
    ),
    (
        "gmx.net",
        include_str!("../../resources/providers/gmx.net.xml"),
    ),
    (
        "icloud.com",
        include_str!("../../resources/providers/icloud.com.xml"),
    ),
    (
        "mail.ru",
        include_str!("../../resources/providers/mail.ru.xml"),
    ),
    (
        "outlook.com",
        include_str!("../../resources/providers/outlook.com.xml"),
    ),
    (
        "qq.com",
        include_str!("../../resources/providers/qq.com.xml"),
    ),
    (
        "sina.com",
        include_str!("../../resources/providers/sina.com.xml"),
    ),
    (
        "sohu.com",
        include_str!("../../resources/providers/sohu.com.xml"),
    ),
    (
        "vip.163.com",
        include_str!("../../resources/providers/vip.163.com.xml"),
    ),
    (
        "yahoo.com",
        include_str!("../../resources/providers/yahoo.com.xml"),
    ),
    (
        "yandex.com",
        include_str!("../../resources/providers/yandex.com.xml"),
    ),
    (
        "yeah.net",
        include_str!("../../resources/providers/yeah.net.xml"),
    ),
    (
        "zoho.com",
        include_str!("../../resources/providers/zoho.com.xml"),
    ),
];

const QUIRKS_NS: &str = "urn:tidings:provider-quirks";

/// What kind of password the provider wants from a mail client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordKind {
    /// The account password works.
    Account,
    /// A separate client authorization code (NetEase, QQ, ...).
    AuthorizationCode,
    /// An app password (Gmail, Outlook, Yahoo, iCloud, ...).
    AppPassword,
}

/// A provider's settings and quirks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// The ISPDB id (its main domain).
    pub id: String,
    /// Human name.
    pub name: String,
    /// Domains it serves.
    pub domains: Vec<String>,
    /// IMAP server, if it offers IMAP.
    pub imap: Option<ServerSettings>,
    /// POP3 server, if it offers POP3.
    pub pop3: Option<ServerSettings>,
    /// SMTP server.
    pub smtp: Option<ServerSettings>,
    /// Wants RFC 2971 ID before SELECT.
    pub sends_imap_id: bool,
    /// Files a copy of what is sent by SMTP in Sent itself.
    pub files_own_sent_copy: bool,
    /// Accepts only one UID range per command (no comma-separated UID sets).
    pub single_uid_ranges: bool,
    /// Which password a client must use.
    pub password: PasswordKind,
    /// Where the provider explains it.
    pub help_url: String,
    /// One-line hint in English.
    pub hint_en: String,
    /// One-line hint in Chinese.
    pub hint_zh: String,
}

impl Provider {
    /// The hint in `locale` ("zh…" gets Chinese, anything else English).
    pub fn hint(&self, locale: &str) -> &str {
        if locale.starts_with("zh") {
            &self.hint_zh
        } else {
            &self.hint_en
        }
    }
}

/// Why a clientConfig document could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid provider configuration: {0}")]
pub struct ProviderError(pub String);

fn child_text<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.has_tag_name(name))
        .and_then(|c| c.text())
        .map(str::trim)
}

/// A server entry, or None for one that is not encrypted (`plain`) or names no security we
/// know: a configuration file never makes Tidings send a password in clear. Plain text stays
/// a choice the user makes by hand, with its warning.
fn server(
    node: roxmltree::Node<'_, '_>,
    email: &str,
) -> Result<Option<ServerSettings>, ProviderError> {
    let host = child_text(node, "hostname")
        .ok_or_else(|| ProviderError("a server without hostname".into()))?;
    let port: u16 = child_text(node, "port")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| ProviderError(format!("{host}: missing or bad port")))?;
    let security = match child_text(node, "socketType").map(str::to_ascii_uppercase) {
        Some(t) if t == "SSL" || t == "TLS" => Security::Tls,
        Some(t) if t == "STARTTLS" => Security::StartTls,
        _ => return Ok(None),
    };
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let username = child_text(node, "username")
        .unwrap_or("%EMAILADDRESS%")
        .replace("%EMAILADDRESS%", email)
        .replace("%EMAILLOCALPART%", local)
        .replace("%EMAILDOMAIN%", domain);
    Ok(Some(ServerSettings {
        enabled: true,
        host: host.replace("%EMAILDOMAIN%", domain),
        port,
        security,
        auth: AuthKind::Password,
        username,
    }))
}

/// Parses a clientConfig document (ours or a domain's own), filling placeholders for `email`.
pub fn parse(xml: &str, email: &str) -> Result<Provider, ProviderError> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| ProviderError(e.to_string()))?;
    let root = doc.root_element();
    let provider = root
        .children()
        .find(|n| n.has_tag_name("emailProvider"))
        .ok_or_else(|| ProviderError("no emailProvider".into()))?;
    let mut imap = None;
    let mut pop3 = None;
    let mut smtp = None;
    for node in provider.children().filter(|n| n.is_element()) {
        let kind = node.attribute("type").unwrap_or_default();
        // The first encrypted server of each kind is the provider's preferred one.
        match (node.tag_name().name(), kind) {
            ("incomingServer", "imap") if imap.is_none() => imap = server(node, email)?,
            ("incomingServer", "pop3") if pop3.is_none() => pop3 = server(node, email)?,
            ("outgoingServer", "smtp") if smtp.is_none() => smtp = server(node, email)?,
            _ => {}
        }
    }
    let quirks = root.children().find(|n| {
        n.tag_name().namespace() == Some(QUIRKS_NS) && n.has_tag_name((QUIRKS_NS, "quirks"))
    });
    let quirk =
        |name: &str| quirks.and_then(|q| q.children().find(|c| c.has_tag_name((QUIRKS_NS, name))));
    let flag = |name: &str| quirk(name).and_then(|n| n.text()).map(str::trim) == Some("true");
    let hint = |lang: &str| {
        quirks
            .and_then(|q| {
                q.children().find(|c| {
                    c.has_tag_name((QUIRKS_NS, "hint")) && c.attribute("lang") == Some(lang)
                })
            })
            .and_then(|n| n.text())
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let password = match quirk("needsPassword").and_then(|n| n.attribute("kind")) {
        Some("authorization-code") => PasswordKind::AuthorizationCode,
        Some("app-password") => PasswordKind::AppPassword,
        _ => PasswordKind::Account,
    };
    Ok(Provider {
        id: provider.attribute("id").unwrap_or_default().to_owned(),
        name: child_text(provider, "displayName")
            .unwrap_or_default()
            .to_owned(),
        domains: provider
            .children()
            .filter(|c| c.has_tag_name("domain"))
            .filter_map(|c| c.text())
            .map(|d| d.trim().to_ascii_lowercase())
            .collect(),
        imap,
        pop3,
        smtp,
        sends_imap_id: flag("sendsImapId"),
        files_own_sent_copy: flag("filesOwnSentCopy"),
        single_uid_ranges: flag("singleUidRanges"),
        password,
        help_url: quirk("helpUrl")
            .and_then(|n| n.text())
            .unwrap_or_default()
            .trim()
            .to_owned(),
        hint_en: hint("en-US"),
        hint_zh: hint("zh-CN"),
    })
}

/// The shipped provider with id `id`, if any.
pub fn by_id(id: &str, email: &str) -> Option<Provider> {
    SHIPPED
        .iter()
        .filter(|(name, _)| *name == id)
        .find_map(|(_, xml)| parse(xml, email).ok())
}

/// The shipped provider serving `domain`, if any.
pub fn for_domain(domain: &str, email: &str) -> Option<Provider> {
    let domain = domain.to_ascii_lowercase();
    SHIPPED
        .iter()
        .filter_map(|(_, xml)| parse(xml, email).ok())
        .find(|p| p.domains.contains(&domain))
}

/// The shipped provider whose servers include `host` (for MX lookups: a custom domain hosted
/// by a known provider).
pub fn for_host(host: &str, email: &str) -> Option<Provider> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    SHIPPED
        .iter()
        .filter_map(|(_, xml)| parse(xml, email).ok())
        .find(|p| {
            p.domains
                .iter()
                .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_file_parses_with_incoming_and_smtp() {
        for (name, xml) in SHIPPED {
            let p = parse(xml, "user@example.org").unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                p.imap.is_some() || p.pop3.is_some(),
                "{name}: no IMAP or POP3"
            );
            assert!(p.smtp.is_some(), "{name}: no SMTP");
            assert!(
                !p.hint_en.is_empty() && !p.hint_zh.is_empty(),
                "{name}: hints"
            );
            assert!(!p.domains.is_empty(), "{name}: domains");
            assert_eq!(p.id, *name);
        }
    }

    #[test]
    fn every_file_in_the_folder_is_shipped() -> std::io::Result<()> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/providers");
        for entry in std::fs::read_dir(dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            let id = name.trim_end_matches(".xml");
            assert!(
                SHIPPED.iter().any(|(n, _)| *n == id),
                "{name} is not in SHIPPED"
            );
        }
        Ok(())
    }

    #[test]
    fn unencrypted_or_unknown_security_is_never_taken_from_a_file() -> Result<(), ProviderError> {
        let config = |imap_security: &str| {
            format!(
                r#"<clientConfig version="1.1"><emailProvider id="example.org">
                <incomingServer type="imap"><hostname>imap.example.org</hostname><port>143</port>{imap_security}</incomingServer>
                <incomingServer type="imap"><hostname>imap.example.org</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
                <incomingServer type="pop3"><hostname>pop.example.org</hostname><port>110</port></incomingServer>
                <outgoingServer type="smtp"><hostname>smtp.example.org</hostname><port>25</port><socketType>plain</socketType></outgoingServer>
                </emailProvider></clientConfig>"#
            )
        };
        for security in [
            "",
            "<socketType>plain</socketType>",
            "<socketType>SSLv2</socketType>",
        ] {
            let p = parse(&config(security), "a@example.org")?;
            // The plain entry is skipped for the encrypted one after it.
            assert_eq!(
                p.imap.map(|s| (s.port, s.security)),
                Some((993, Security::Tls)),
                "{security}"
            );
            assert!(p.pop3.is_none() && p.smtp.is_none(), "{security}");
        }
        Ok(())
    }

    #[test]
    fn netease_163_has_the_right_servers_and_quirks() {
        let p = for_domain("163.com", "zhang@163.com");
        let p = p.as_ref();
        let imap = p.and_then(|p| p.imap.clone());
        assert_eq!(
            imap.map(|s| (s.host, s.port, s.security, s.username)),
            Some((
                "imap.163.com".into(),
                993,
                Security::Tls,
                "zhang@163.com".into()
            ))
        );
        assert_eq!(
            p.and_then(|p| p.pop3.as_ref())
                .map(|s| (s.host.as_str(), s.port)),
            Some(("pop.163.com", 995))
        );
        assert_eq!(
            p.and_then(|p| p.smtp.as_ref())
                .map(|s| (s.host.as_str(), s.port)),
            Some(("smtp.163.com", 465))
        );
        assert!(
            p.is_some_and(|p| p.sends_imap_id && p.password == PasswordKind::AuthorizationCode)
        );
        assert!(p.is_some_and(|p| p.hint("zh-CN").contains("授权码")));
    }

    #[test]
    fn aliases_and_hosts_find_their_provider() {
        assert_eq!(
            for_domain("foxmail.com", "a@foxmail.com").map(|p| p.id),
            Some("qq.com".into())
        );
        assert_eq!(
            for_domain("GoogleMail.com", "a@googlemail.com").map(|p| p.id),
            Some("gmail.com".into())
        );
        assert_eq!(
            for_domain("hotmail.com", "a@hotmail.com").map(|p| p.id),
            Some("outlook.com".into())
        );
        assert_eq!(
            for_host("mx1.qq.com.", "a@corp.example").map(|p| p.id),
            Some("qq.com".into())
        );
        assert!(for_domain("example.org", "a@example.org").is_none());
    }
}
