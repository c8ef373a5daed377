//! Remote content the user allowed: images fetched over HTTP(S) for the reader, and the
//! "always from this sender" list. Only the engine opens these connections; the window shows
//! the bytes.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use super::{Context, ErrorKind, Event};

/// The most one image may weigh.
const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most images fetched for one message.
const MAX_IMAGES: usize = 64;
/// The most pixels an image may have once decoded (4096 × 4096: 64 MiB as RGBA). A small
/// file can claim enormous dimensions and make the decoder allocate gigabytes.
const MAX_PIXELS: u64 = 4096 * 4096;
/// The longest side an image may have.
const MAX_SIDE: u32 = 16_384;

/// Whether a mail's image may make us connect to `ip`. Images are the sender's to choose, so
/// they must not reach this computer, the local network or link-local services (a router's
/// admin page, a cloud metadata address): only public addresses.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                // Shared address space (carrier-grade NAT) and benchmarking.
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local (fc00::/7) and link-local (fe80::/10).
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// Resolves names for image fetches and drops every address that is not public, so neither
/// the first request nor a redirect nor a DNS answer that changes between lookups can point
/// a fetch at the local network.
struct PublicOnly {
    allow_loopback: bool,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()) || (allow_loopback && a.ip().is_loopback()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// Whether a fetch may go to `url`: http(s) only, to a public address when the host is an IP
/// literal (names are checked by `PublicOnly`), and `via_redirect` only to https, so a
/// redirect never downgrades.
pub fn may_fetch(url: &reqwest::Url, via_redirect: bool, allow_loopback: bool) -> bool {
    let scheme_ok = match url.scheme() {
        "https" => true,
        "http" => !via_redirect,
        _ => false,
    };
    let host_ok = match url.host() {
        Some(url::Host::Ipv4(ip)) => {
            is_public(IpAddr::V4(ip)) || (allow_loopback && ip.is_loopback())
        }
        Some(url::Host::Ipv6(ip)) => {
            is_public(IpAddr::V6(ip)) || (allow_loopback && ip.is_loopback())
        }
        Some(url::Host::Domain(d)) => {
            !d.eq_ignore_ascii_case("localhost") && !d.to_ascii_lowercase().ends_with(".localhost")
                || allow_loopback
        }
        None => false,
    };
    scheme_ok && host_ok
}

/// Checks that `bytes` are a picture we draw (PNG, JPEG, GIF or WebP) whose decoded size stays
/// within the limits, reading only its header.
pub fn check_image(bytes: &[u8]) -> Result<(), String> {
    use image::ImageFormat;
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP) => {}
        _ => return Err("not a picture in a format Tidings shows".into()),
    }
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| format!("not a readable picture: {e}"))?;
    if w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!("a picture of {w}×{h} pixels is too large to show"));
    }
    Ok(())
}

/// Remembers that `sender`'s mail on `account` may show remote content.
pub(super) async fn allow_sender(ctx: &Context, account: i64, sender: String) {
    let who = sender.clone();
    let written = ctx
        .store
        .writer()
        .write(move |tx| crate::store::remote_content::allow(tx, account, &who))
        .await;
    match written {
        Ok(()) => ctx.emit(Event::RemoteAllowed { account, sender }),
        Err(e) => ctx.emit(Event::Error {
            account,
            kind: ErrorKind::Storage,
            message: e.to_string(),
        }),
    }
}

/// Fetches the images of one message, a few at a time, each reported as it arrives.
pub(super) async fn fetch(ctx: Context, message: i64, urls: Vec<String>) {
    let client = match client(&ctx) {
        Ok(client) => client,
        Err(e) => {
            for url in urls {
                ctx.emit(Event::RemoteImage {
                    message,
                    url,
                    result: Err(e.clone()),
                });
            }
            return;
        }
    };
    let mut pending = urls.into_iter().take(MAX_IMAGES);
    let mut running = tokio::task::JoinSet::new();
    loop {
        while running.len() < 4 {
            let Some(url) = pending.next() else { break };
            let client = client.clone();
            running.spawn(async move {
                let result = get(&client, &url).await;
                (url, result)
            });
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        if let Ok((url, result)) = done {
            ctx.emit(Event::RemoteImage {
                message,
                url,
                result,
            });
        }
    }
}

/// A fetcher for images: TLS as everywhere, public addresses only, redirects only to https.
struct Fetcher {
    client: reqwest::Client,
    allow_loopback: bool,
}

fn client(ctx: &Context) -> Result<Arc<Fetcher>, String> {
    let config = crate::protocols::tls::client_config(&ctx.options.extra_roots)
        .map_err(|e| e.to_string())?;
    let allow_loopback = ctx.options.allow_loopback_images;
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 5 {
            attempt.error("too many redirects")
        } else if may_fetch(attempt.url(), true, allow_loopback) {
            attempt.follow()
        } else {
            attempt.error("a redirect to a local, private or unencrypted address")
        }
    });
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured((*config).clone())
        .timeout(Duration::from_secs(20))
        .redirect(policy)
        .dns_resolver(Arc::new(PublicOnly { allow_loopback }))
        // No Referer and no cookies: the sender learns as little as a fetch allows.
        .referer(false)
        .build()
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(Fetcher {
        client,
        allow_loopback,
    }))
}

async fn get(fetcher: &Fetcher, url: &str) -> Result<Vec<u8>, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
    if !may_fetch(&parsed, false, fetcher.allow_loopback) {
        return Err(format!("{url}: not a public web address"));
    }
    let mut response = fetcher
        .client
        .get(parsed)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("{url}: the server answered {}", response.status()));
    }
    let kind = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    // Servers often send pictures as octet-stream; anything that says it is something else
    // (a page, a script) is not drawn.
    if !(kind.starts_with("image/") || kind.starts_with("application/octet-stream")) {
        return Err(format!("{url}: not a picture ({kind})"));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| format!("{url}: {e}"))? {
        if bytes.len() + chunk.len() > MAX_BYTES {
            return Err(format!("{url}: larger than {} MB", MAX_BYTES / 1024 / 1024));
        }
        bytes.extend_from_slice(&chunk);
    }
    check_image(&bytes).map_err(|e| format!("{url}: {e}"))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_fetched() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:192.168.1.1",
        ] {
            assert!(ip.parse().is_ok_and(|ip| !is_public(ip)), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(ip.parse().is_ok_and(is_public), "{ip}");
        }
    }

    #[test]
    fn redirects_never_downgrade_or_turn_inwards() -> Result<(), url::ParseError> {
        let url = |u: &str| reqwest::Url::parse(u);
        assert!(may_fetch(
            &url("http://img.example.org/a.png")?,
            false,
            false
        ));
        assert!(!may_fetch(
            &url("http://img.example.org/a.png")?,
            true,
            false
        ));
        assert!(may_fetch(
            &url("https://img.example.org/a.png")?,
            true,
            false
        ));
        for inward in [
            "https://127.0.0.1/a.png",
            "https://[::1]/a.png",
            "https://192.168.0.1/admin",
            "https://169.254.169.254/latest/meta-data",
            "https://localhost/a.png",
            "file:///etc/passwd",
        ] {
            assert!(!may_fetch(&url(inward)?, true, false), "{inward}");
            assert!(!may_fetch(&url(inward)?, false, false), "{inward}");
        }
        Ok(())
    }

    #[test]
    fn pictures_are_checked_before_anything_decodes_them() {
        let png = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/banner.png"
        ))
        .unwrap_or_default();
        assert_eq!(check_image(&png), Ok(()));
        assert!(check_image(b"<html>not a picture</html>").is_err());
        // A valid PNG claiming 100,000 × 100,000 pixels (40 GB decoded) in a few bytes.
        let bomb = b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x06\x00\x00\x00\xa8\x52\x0b\xc8\x00\x00\x00\x08\x49\x44\x41\x54\x78\x9c\x03\x00\x00\x00\x00\x01\x48\x06\x89\xd2\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";
        assert!(
            check_image(bomb).is_err_and(|e| e.contains("too large")),
            "{:?}",
            check_image(bomb)
        );
    }
}
